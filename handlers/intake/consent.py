"""The consent asked before a registration collects anything personal: the question, the
answer, and whether an earlier agreement still stands (the form in handlers/intake/flow.py)."""

from __future__ import annotations

from handlers.context import Context
from handlers.intake.buttons import Consent
from handlers.intake.form_files import refuse_before_consent
from handlers.intake.navigation import new_form
from handlers.intake.prefill import FROM_TEXT, form_slots, request_preset
from handlers.intake.questions import exact_unit
from handlers.menu import main_menu_buttons
from handlers.textnorm import fold, folded_phrases, is_phrases, only_signs, option_number
from handlers.types import Inbound, InboundKind
from handlers.understanding.matcher import get_matcher
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


async def typed_consent(ctx: Context, event: Inbound) -> bool:
    """What is sent at the consent question, read; False for a question (the caller answers
    it, then asks again). A photo is refused until agreed; "chi tiết" shows the details; "có",
    "ok", "vâng" (or "không") answer "có đồng ý không?" (they re-sent the whole text); a
    number none of its options has, or signs alone, are said so and the question asked again
    (they got the whole text again without a word); a registration request is kept for the
    form."""
    if event.kind in (InboundKind.PHOTO, InboundKind.DOCUMENT):
        refuse_before_consent(ctx, event, dict(ctx.data.get("preset") or {}).get("kind"))
        ask_consent(ctx)
        return True
    if fold(event.text) in folded_phrases("intake.consent_more_words"):
        ask_consent(ctx, details=True)  # "chi tiet", "dieu khoan"
        return True
    for accepted in (True, False):
        words = "consent_yes" if accepted else "consent_no"
        if is_phrases(event.text, folded_phrases(f"intake.words_answer.{words}")):
            await answer_consent(ctx, accepted=accepted)
            return True
    number = option_number(event.text)
    if number is not None or only_signs(event.text):
        ask_consent(ctx, t("escapes.unknown_option_number", number=number)
                    if number is not None else t("intake.consent_unclear"))
        return True
    return await _kept_commune(ctx, event) or await _kept_request(ctx, event)


async def _kept_commune(ctx: Context, event: Inbound) -> bool:
    """A commune's exact name typed at the consent question ("phu luu": the form asks it
    later) is kept for the form, and the question asked again; it got the office's addresses,
    then the whole consent text. (Not personal: a request naming its commune keeps it too.)"""
    unit = await exact_unit(ctx, event.text)
    if unit is None:
        return False
    preset = dict(ctx.data.get("preset") or {})
    ctx.update(preset=preset | {"unit_id": unit.id, "unit_name": unit.name, FROM_TEXT: True})
    ask_consent(ctx, t("intake.consent_request_kept"))
    return True


async def _kept_request(ctx: Context, event: Inbound) -> bool:
    """A registration request typed at the consent question ("dk lop nay cho vo toi") adds
    what it says to the form's answers-to-be, and the question is asked again; it was "not
    understood", and the form then asked for whom."""
    decision = get_matcher().decide(event.text)
    if decision.outcome != "action" or decision.action != ctx.flow:  # the form's own
        return False
    said = await request_preset(ctx, event.text, form_slots(event.text))
    if not set(said) - {FROM_TEXT}:
        return False
    preset = dict(ctx.data.get("preset") or {})
    if said.get("kind", preset.get("kind")) != preset.get("kind"):
        preset = {}  # another kind: the class or country chosen before no longer applies
    ctx.update(preset=preset | said)
    ask_consent(ctx, t("intake.consent_request_kept"))
    return True
