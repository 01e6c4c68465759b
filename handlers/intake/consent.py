"""The consent asked before a registration collects anything personal: the question, the
answer, and whether an earlier agreement still stands (the form in handlers/intake/flow.py)."""

from __future__ import annotations

from handlers.context import Context
from handlers.intake.buttons import Consent
from handlers.intake.navigation import new_form
from handlers.menu import main_menu_buttons
from messages import raw, t


def has_valid_consent(version: str | None) -> bool:
    """Whether an agreement to consent text ``version`` still stands (the current text, or
    an earlier one saying the same: ``intake.consent_still_valid``)."""
    return version is not None and (
        version == t("intake.consent_version") or version in raw("intake.consent_still_valid")
    )


def ask_consent(ctx: Context, note: str | None = None, *, details: bool = False) -> None:
    """The key facts and yes / no / «Xem chi tiết»; ``details``: the whole text, yes / no."""
    text = t("intake.consent_details" if details else "intake.consent",
             days=ctx.config.intake_expiry_days)
    buttons = [
        [Consent("yes").button(t("intake.consent_yes"))],
        [Consent("no").button(t("intake.consent_no"))],
    ]
    if not details:
        buttons.append([Consent("more").button(t("intake.consent_more"))])
    ctx.reply(f"{note}\n{text}" if note else text, buttons, intent="flow:intake.consent")


async def answer_consent(ctx: Context, *, accepted: bool) -> None:
    if not accepted:
        ctx.leave()
        ctx.reply(
            t("intake.consent_declined"), main_menu_buttons(), intent="flow:intake.declined"
        )
        return
    ctx.contact.consent_at = ctx.now
    ctx.contact.consent_version = t("intake.consent_version")
    await new_form(ctx, dict(ctx.data.get("preset") or {}))
