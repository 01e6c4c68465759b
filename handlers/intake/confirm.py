"""Turning a complete draft into a case: reference, seat check, notice to officers, reply."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete

from handlers.context import Context
from handlers.intake.buttons import Another, ToMenu
from handlers.intake.questions import cipher, local_today
from handlers.notices import record_notice
from messages import t
from storage.cases_repo import CaseStatus, is_full, record_case
from storage.models import Case, Course, IntakeDraft


async def confirm_draft(ctx: Context, draft: IntakeDraft) -> Case:
    """Create the case in this event's transaction, notify the commune, thank the user."""
    # Case work and privacy import the form's questions: their buttons are imported here.
    from handlers.casework import OpenCase
    from handlers.privacy import Action
    from handlers.privacy import Choose as MyCases

    data = draft.data
    kind = str(data["kind"])
    course_id = int(data["course_id"]) if kind == "course" and data.get("course_id") else None
    waitlist = kind == "course" and (bool(data.get("waitlist")) or course_id is None)
    became_full = False
    if course_id is not None and not waitlist:
        # Locked until commit (PostgreSQL): two people confirming the last seat at once are
        # counted one after the other. Seats may have gone while this form was open: the case
        # then joins the waiting list.
        course = await ctx.session.get(Course, course_id, with_for_update=True)
        if course is not None and await is_full(ctx.session, course):
            waitlist = became_full = True
    case = Case(
        contact_id=ctx.contact.id,
        kind=kind,
        status=CaseStatus.WAITLIST if waitlist else CaseStatus.NEW,
        unit_id=data.get("unit_id"),
        course_id=course_id,
        relationship_to_registrant=str(data.get("relationship", "self")),
        full_name=data.get("full_name"),
        date_of_birth=date.fromisoformat(data["dob"]),
        gender=data.get("gender"),
        phone_enc=data.get("phone_enc"),
        citizen_id_enc=data.get("citizen_id_enc") or None,
        village=data.get("village"),
        ethnicity=data.get("ethnicity"),
        household_status=data.get("household"),
        market=data.get("market") if kind == "abroad" else None,
    )
    await record_case(
        ctx.session, case, prefix=ctx.config.case_ref_prefix, year=local_today(ctx).year,
        now=ctx.now,
    )
    unit = str(data.get("unit_name", ""))
    interest = (
        t(f"intake.option.market.{data['market']}")
        if kind == "abroad"
        else str(data.get("course_label", ""))
    )
    # Name, village and phone are read from the case when the notice is delivered, so the
    # notice row keeps none of them (and goes with the case on a deletion request).
    await record_notice(
        ctx.session,
        kind="new_case",
        text_key="casework.notice_new_case",
        now=ctx.now,
        unit_id=case.unit_id,
        case_id=case.id,
        params={
            "ref": case.ref,
            "kind": t(f"intake.notice.kind_{kind}"),
            "unit": unit,
            "interest": interest,
            "waitlist": f" {t('intake.summary.waitlist_note')}" if waitlist else "",
            "buttons": [[OpenCase(case.id).pack(), "casework.button_open_case"]],
        },
        cipher_key=ctx.config.encryption_key,
    )
    await ctx.session.execute(delete(IntakeDraft).where(IntakeDraft.id == draft.id))
    ctx.leave()
    phone = cipher(ctx).decrypt(str(data["phone_enc"]))
    key = "intake.done.waitlist" if waitlist else f"intake.done.{kind}"
    parts = [t("intake.course.became_full")] if became_full else []
    parts.append(
        t(key, ref=case.ref, unit=unit, phone=phone, course=data.get("course_label", ""))
    )
    parts.append(t("intake.done.keep_ref"))
    ctx.reply(
        "\n".join(parts),
        [
            [Another().button(t("intake.button.another"))],
            [MyCases(Action.CASES).button(t("intake.button.my_cases"))],
            [ToMenu().button(t("intake.button.menu"))],
        ],
        intent="flow:intake.done",
        case_ref=case.ref,
    )
    return case
