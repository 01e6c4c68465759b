"""GET route of the webhook server that hands officers the files Zalo cannot send them.

The link (made by handlers/officials/documents.py) must carry a valid signature, must not have
expired, and its officer must still hold an active account; anything else gets 403 and a short
Vietnamese line. A separate route from the platforms' webhooks (bot/webhook.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from handlers.officials.documents import FileLink, check_link, safe_file_name
from messages import t
from storage.db import Database
from storage.files import FileStore
from storage.models import Officer, utcnow

log = logging.getLogger(__name__)

PATH = "/files/{sha256}/{officer_id}/{expires}/{signature}/{file_name}"


def file_route(
    db: Database, files: FileStore, secret: str, *, clock: Callable[[], datetime] = utcnow
) -> web.RouteDef:
    async def endpoint(request: web.Request) -> web.StreamResponse:
        info = request.match_info
        try:
            link = FileLink(
                sha256=info["sha256"],
                officer_id=int(info["officer_id"]),
                expires=int(info["expires"]),
                signature=info["signature"],
                file_name=info["file_name"],
            )
        except ValueError:
            return _refused()
        if link.file_name != safe_file_name(link.file_name) or not check_link(
            secret, link, clock()
        ):
            log.warning("file link refused (bad or expired signature) from %s", request.remote)
            return _refused()
        async with db.session() as session:
            officer = await session.get(Officer, link.officer_id)
        if officer is None or not officer.active:
            log.warning("file link refused (officer %s not active)", link.officer_id)
            return _refused()
        try:
            path = files.path_for(link.sha256)
        except ValueError:
            return _refused()
        if not path.exists():
            return web.Response(status=404, text=t("doclink.expired"))
        return web.FileResponse(
            path,
            headers={
                "Content-Disposition": f'attachment; filename="{link.file_name}"',
                "Cache-Control": "no-store",
            },
        )

    return web.get(PATH, endpoint)


def _refused() -> web.Response:
    return web.Response(status=403, text=t("doclink.expired"))
