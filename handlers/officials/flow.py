"""The officers' commands: /canbo CODE, /tiendo, /quahan, /hoso, /baocao, /nopds.

Each command checks the sender's role and unit scope (guard.py → handlers/access.py) before
reading anything; a citizen or an officer of another commune gets a polite refusal, no data.
"""

from __future__ import annotations

import math

from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.flow import Flow
from handlers.officials import submit
from handlers.officials.accounts import record_signin, redeem_invite, signin_blocked_until
from handlers.officials.dossiers import handle_dossiers
from handlers.officials.notify import deliver_pending_notices
from handlers.officials.progress import Submit, handle_progress
from handlers.officials.reports import handle_report
from handlers.types import Inbound
from messages import t
from storage.models import Unit


class OfficialsFlow(Flow):
    name = "officials"
    for_officers = True
    commands = ("canbo", "tiendo", "quahan", "hoso", "baocao", "nopds")
    accepts_files = True
    #: A trainee list's steps say what they need and ask again (handlers/officials/submit.py).
    reads_non_text = True

    async def start(self, event: Inbound, ctx: Context) -> None:
        command = event.command
        if command == "canbo":
            await bind_account(event, ctx)
        elif command in ("tiendo", "quahan"):
            await handle_progress(event, ctx, overdue_only=command == "quahan")
        elif command == "hoso":
            await handle_dossiers(event, ctx)
        elif command == "baocao":
            await handle_report(event, ctx)
        else:
            await submit.start_submission(event, ctx)

    async def repeat(self, event: Inbound, ctx: Context) -> None:
        if ctx.step and ctx.step.startswith("submit."):
            await submit.ask_again(ctx)
        # The other commands answer at once: nothing is waiting to be asked again.

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        match data:
            case Submit():
                await submit.start_submission(event, ctx)
            case submit.PickProgram(code=code):
                await submit.on_program(ctx, code)
            case submit.SkipFile():
                await submit.on_skip_file(ctx)
            case submit.Applicants(answer=answer):
                await submit.on_applicants(ctx, answer)
            case submit.Confirm():
                await submit.on_confirm(ctx)
            case submit.Cancel():
                ctx.leave()
                ctx.reply(t("officials.submit.cancelled"), intent="flow:officials.submit.cancelled")

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        if ctx.step and ctx.step.startswith("submit."):
            await submit.on_message(event, ctx)
            return
        ctx.leave()
        await ctx.dispatch(event)


async def bind_account(event: Inbound, ctx: Context) -> None:
    """``/canbo CODE``: a wrong, used or expired code all get the same answer."""
    code = event.args.strip()
    if not code:
        ctx.reply(t("officials.bind.usage"), intent="flow:officials.bind")
        return
    blocked_until = await signin_blocked_until(ctx.session, ctx.contact.id, ctx.now)
    if blocked_until is not None:
        minutes = max(1, math.ceil((blocked_until - ctx.now).total_seconds() / 60))
        ctx.reply(t("officials.bind.wait", minutes=minutes), intent="flow:officials.bind.wait")
        return
    officer = await redeem_invite(ctx.session, code, ctx.contact, ctx.now)
    await record_signin(ctx.session, ctx.contact.id, ctx.now, ok=officer is not None)
    if officer is None:
        ctx.reply(t("officials.bind.invalid"), intent="flow:officials.bind.invalid")
        return
    unit = await ctx.session.get(Unit, officer.unit_id) if officer.unit_id else None
    ctx.reply(
        t(
            "officials.bind.ok",
            role=t(f"officials.role.{officer.role}"),
            unit=t("officials.bind.unit_suffix", unit=unit.name) if unit else "",
        ),
        intent="flow:officials.bind.ok",
    )
    # Notices that waited for an officer of this unit (or the office) go out now.
    await deliver_pending_notices(ctx.session, ctx.now, cipher_key=ctx.config.encryption_key)
