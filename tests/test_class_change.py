"""Changing class once registered ("em muốn đổi sang lớp may"): the registration moves, with
its reference and details, after one confirmation; nothing is asked again. It got the sewing
classes to register for, a second twelve-question form, and the first class kept its seat."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.app import App
from handlers.own_cases import ChangeClass, ChangeClassConfirmed, WithdrawConfirmed
from handlers.types import Channel
from storage.models import Case, Course, Notice
from tests.dossier_support import click
from tests.helpers import intents, press, say, texts
from tests.intake_support import all_cases, draft_data, fill_form

CHANNELS = [Channel.CONSOLE, Channel.ZALO]
COURSE = "Trồng và chế biến chè"
SEWING = "May công nghiệp"


async def _registered(app: App, channel: Channel = Channel.CONSOLE) -> Case:
    await fill_form(app, "y1", channel=channel, kind="Học nghề", choice=COURSE)
    assert intents(await say(app, "y1", "đúng rồi", channel=channel))[0] == "flow:intake.done"
    [case] = await all_cases(app)
    return case


async def _course_id(app: App, occupation: str) -> int:
    async with app.db.session() as session:
        found = await session.scalar(select(Course.id).where(Course.occupation == occupation))
    assert found is not None
    return int(found)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_registered_class_is_changed_in_three_turns(app: App, channel: Channel) -> None:
    case = await _registered(app, channel)
    lines = await say(app, "y1", "e muon doi sang lop may", channel=channel)
    assert intents(lines) == ["flow:cases.change", "flow:cases.change"], lines
    assert f"đang đăng ký lớp {COURSE}" in lines[0]["text"] and case.ref in lines[0]["text"]
    assert f"1. {SEWING}" in lines[1]["text"] and "Chọn số lớp muốn đổi sang." in lines[1]["text"]
    lines = await say(app, "y1", "1", channel=channel)
    assert intents(lines) == ["flow:cases.change_confirm"], lines
    assert f"từ lớp {COURSE}" in lines[0]["text"] and f"sang lớp {SEWING}" in lines[0]["text"]
    # A typed yes confirms, as the button would.
    lines = await say(app, "y1", "ok", channel=channel)
    assert intents(lines) == ["flow:cases.class_changed"], lines
    assert f"Đã đổi {case.ref} sang lớp {SEWING}" in lines[0]["text"]
    [moved] = await all_cases(app)  # the same registration, not a second one
    assert (moved.ref, moved.course_id) == (case.ref, await _course_id(app, SEWING))
    assert moved.full_name == case.full_name and moved.status == case.status
    async with app.db.session() as session:
        notice = await session.scalar(select(Notice).where(Notice.kind == "class_changed"))
    assert notice is not None and notice.unit_id == case.unit_id
    assert notice.params["old"].startswith(COURSE) and notice.params["new"].startswith(SEWING)


async def test_on_telegram_the_classes_are_buttons_to_change_to(app: App) -> None:
    await _registered(app, Channel.TELEGRAM)
    lines = await say(app, "y1", "cho e chuyen sang lop may", channel=Channel.TELEGRAM)
    assert lines[1]["buttons"][0] == ["Đổi sang lớp 1"], lines


async def test_no_class_registered_gets_the_classes_to_register_for(app: App) -> None:
    lines = await say(app, "y1", "e muon doi sang lop may")
    assert all(i.startswith("faq:training.") for i in intents(lines)), lines
    assert SEWING in texts(lines)


async def test_a_full_class_or_the_same_class_keeps_the_registration(app: App) -> None:
    case = await _registered(app)
    sewing = await _course_id(app, SEWING)
    async with app.db.transaction() as session:
        await session.execute(update(Course).where(Course.id == sewing).values(status="full"))
    lines = await click(app, "y1", ChangeClass(case.id, sewing).pack())
    assert intents(lines) == ["flow:cases.change_refused"] and "đã đủ chỗ" in texts(lines)
    lines = await click(app, "y1", ChangeClassConfirmed(case.id, sewing).pack())
    assert intents(lines) == ["flow:cases.change_refused"]
    lines = await click(app, "y1", ChangeClass(case.id, case.course_id or 0).pack())
    assert "đúng lớp này" in texts(lines)
    [kept] = await all_cases(app)
    assert kept.course_id == case.course_id


async def test_someone_elses_registration_is_not_changed(app: App) -> None:
    case = await _registered(app)
    sewing = await _course_id(app, SEWING)
    lines = await click(app, "stranger", ChangeClassConfirmed(case.id, sewing).pack())
    assert intents(lines) == ["flow:cases.not_found"]
    [kept] = await all_cases(app)
    assert kept.course_id == case.course_id


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_typed_yes_confirms_a_withdrawal_but_never_an_erasure(
    app: App, channel: Channel
) -> None:
    # "co" under "Anh/chị chắc chắn rút đăng ký?" got small talk and the menu.
    case = await _registered(app, channel)
    await say(app, "y1", "thoi e ko hoc nua", channel=channel)
    lines = await say(app, "y1", "co", channel=channel)
    assert intents(lines) == ["flow:cases.withdrawn"], lines
    assert WithdrawConfirmed.typed_yes and not ChangeClass.typed_yes
    # Deleting everything still takes its own button: "có" alone does not.
    await say(app, "y1", "xóa hết thông tin của tôi", channel=channel)
    lines = await say(app, "y1", "có", channel=channel)
    assert "flow:privacy.deleted" not in intents(lines), lines
    assert [c.ref for c in await all_cases(app)] == [case.ref]


async def test_the_persons_own_withdrawal_is_not_shown_as_an_officers_update(app: App) -> None:
    # "Cán bộ cập nhật ngày …" was shown under a registration the person withdrew.
    await _registered(app)
    await say(app, "y1", "thoi e ko hoc nua")
    await say(app, "y1", "co")
    lines = await say(app, "y1", "ho so cua toi")
    assert "đã hủy" in texts(lines) and "Cán bộ cập nhật" not in texts(lines), lines


@pytest.mark.parametrize("channel", CHANNELS)
async def test_inside_the_form_a_change_of_class_changes_the_forms_class(
    app: App, channel: Channel
) -> None:
    # "chuyen sang lop may" at "Anh/chị đăng ký cho ai?" got "chọn một mục"; at the name
    # question it would have been the name.
    await say(app, "z1", "dang ky hoc lop nau an", channel=channel)
    await say(app, "z1", "dong y", channel=channel)
    assert str((await draft_data(app))["course_label"]).startswith("Nấu ăn")
    lines = await say(app, "z1", "chuyen sang lop may", channel=channel)
    assert intents(lines) == ["flow:intake.who"], lines
    assert f"Lớp học: {SEWING}" in texts(lines)
    assert str((await draft_data(app))["course_label"]).startswith(SEWING)
    await say(app, "z1", "ban than", channel=channel)
    lines = await say(app, "z1", "cho em doi lop nau an", channel=channel)
    assert intents(lines) == ["flow:intake.full_name"], lines
    data = await draft_data(app)
    assert str(data["course_label"]).startswith("Nấu ăn") and "full_name" not in data


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_class_on_the_next_page_moves_the_registration_too(
    app: App, channel: Channel
) -> None:
    # «Xem thêm lớp» under the change list gave a page whose classes registered anew: a second
    # twelve-question form, and the first class kept its seat.
    case = await _registered(app, channel)
    lines = await say(app, "y1", "e muon doi sang lop khac", channel=channel)
    assert "Chọn số lớp muốn đổi sang." in lines[1]["text"], lines
    lines = await press(app, "y1", "Xem thêm lớp", channel=channel)
    assert "Chọn số lớp muốn đổi sang." in lines[0]["text"], lines
    lines = await say(app, "y1", "1", channel=channel)
    assert intents(lines) == ["flow:cases.change_confirm"], lines
    assert intents(await say(app, "y1", "ok", channel=channel)) == ["flow:cases.class_changed"]
    [moved] = await all_cases(app)
    assert moved.ref == case.ref and moved.course_id != case.course_id
