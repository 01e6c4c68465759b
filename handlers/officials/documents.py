"""Files for officers (the dossier PDF, the survey results, the /baocao workbook) on every channel.

Telegram and the console take documents. Zalo bots cannot send files: the file is served by the
bot's webhook server behind a signed link that expires (24 hours) and names one officer (the
link stops working when that officer's account is revoked); without a webhook server, the
officer is told where to get it. An officer is never told to run a terminal command.

A link is ``{base}/files/{sha256}/{officer id}/{expires}/{signature}/{file name}``; the
signature is an HMAC-SHA256 (FILE_LINK_SECRET) of everything before it, so changing any part
(another officer, a later expiry, another file) makes it invalid.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from handlers.context import Context
from handlers.types import Attachment
from messages import t
from storage.models import EXPORT_LIFETIME, ExportFile, Officer

#: A link lives as long as the file is kept for it.
LINK_LIFETIME = EXPORT_LIFETIME
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class FileLink:
    sha256: str
    officer_id: int
    expires: int
    signature: str
    file_name: str

    @property
    def path(self) -> str:
        return (f"/files/{self.sha256}/{self.officer_id}/{self.expires}/{self.signature}/"
                f"{self.file_name}")


def safe_file_name(name: str) -> str:
    return _SAFE_NAME.sub("-", name).strip("-.")[:80] or "file"


def _signature(secret: str, sha256: str, officer_id: int, expires: int, file_name: str) -> str:
    message = f"{sha256}/{officer_id}/{expires}/{file_name}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_link(
    secret: str, sha256: str, officer_id: int, file_name: str, now: datetime
) -> FileLink:
    expires = int((now + LINK_LIFETIME).timestamp())
    name = safe_file_name(file_name)
    return FileLink(sha256, officer_id, expires,
                    _signature(secret, sha256, officer_id, expires, name), name)


def check_link(secret: str, link: FileLink, now: datetime) -> bool:
    """Is the signature right for every part, and the link not expired?"""
    if not secret:
        return False
    expected = _signature(secret, link.sha256, link.officer_id, link.expires, link.file_name)
    return hmac.compare_digest(expected, link.signature) and now.timestamp() < link.expires


async def send_file(
    ctx: Context, officer: Officer, data: bytes, *, file_name: str, what: str, intent: str,
    text: str = "", case_id: int | None = None, survey_round_id: int | None = None,
) -> None:
    """Give ``data`` to the officer: a document where the channel takes one, else a link. A
    file about a case or a survey round's answers is recorded as such (``ExportFile``): it is
    removed with the data of the people it is about."""
    sha = await ctx.files.put(data)
    if case_id is not None or survey_round_id is not None:
        ctx.session.add(ExportFile(sha256=sha, case_id=case_id, survey_round_id=survey_round_id,
                                   created_at=ctx.now))
    if not ctx.is_zalo:
        reply = ctx.reply(text or what, intent=intent)
        reply.attachments.append(Attachment(kind="document", sha256=sha, file_name=file_name))
        return
    base, secret = ctx.config.file_link_base, ctx.config.file_link_secret
    if base and secret:
        link = sign_link(secret, sha, officer.id, file_name, ctx.now)
        note = t("doclink.zalo_link", what=what, url=base.rstrip("/") + link.path)
    else:
        note = t("doclink.zalo_no_server", what=what)
    ctx.reply("\n\n".join(p for p in (text, note) if p), intent=intent)
