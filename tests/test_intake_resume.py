from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.app import App, build_app, build_flows
from handlers.context import Context
from handlers.flow import Flow
from handlers.intake import expire_drafts
from handlers.router import Router
from handlers.types import Button, Inbound
from storage.models import ConversationState, FallbackQuestion, IntakeDraft
from tests.conftest import make_settings
from tests.helpers import Clock, intents, press, say, simulate_lines, texts
from tests.intake_support import all_cases, fill_form


async def _start_form(app: App, user: str) -> None:
    await say(app, user, "đăng ký")
    await press(app, user, "Đồng ý")
    await press(app, user, "Cho bản thân tôi")
    await press(app, user, "Đi làm việc ở nước ngoài")
    await say(app, user, "Lò Văn Minh")


async def test_menu_then_register_offers_to_continue(app: App) -> None:
    await _start_form(app, "u1")
    await say(app, "u1", "menu")
    lines = await press(app, "u1", "Đăng ký")
    assert intents(lines) == ["flow:intake.resume"]
    # 10 left, as the form counts them (another ethnicity would add its name).
    assert "Lò Văn Minh" in texts(lines) and "3/13" in texts(lines)
    lines = await press(app, "u1", "Làm tiếp")
    assert intents(lines) == ["flow:intake.dob"]


async def test_something_else_typed_at_continue_or_cancel_asks_that_again(app: App) -> None:
    """An emoji or "abc" at "làm tiếp không?" (and at "hủy thật không?") showed the form's
    question under "Anh/chị chọn một mục bên dưới", with no option to choose."""
    await _start_form(app, "u1")
    await say(app, "u1", "menu")
    await press(app, "u1", "Đăng ký")
    for typed in ("☺️", "abc xyz"):
        lines = await say(app, "u1", typed)
        assert intents(lines) == ["flow:intake.resume"], (typed, lines)
        assert "Làm tiếp" in str(lines[-1]["buttons"])
    assert intents(await press(app, "u1", "Làm tiếp")) == ["flow:intake.dob"]
    await press(app, "u1", "Hủy")
    lines = await say(app, "u1", "abc xyz")
    assert intents(lines) == ["flow:intake.cancel"] and "chắc chắn muốn hủy" in texts(lines)
    assert intents(await press(app, "u1", "Không, làm tiếp")) == ["flow:intake.dob"]


async def test_the_main_menu_mentions_an_unfinished_form(app: App, clock: Clock) -> None:
    assert "đăng ký làm dở" not in texts(await say(app, "u1", "/start"))
    await _start_form(app, "u1")
    assert "đăng ký làm dở" in texts(await say(app, "u1", "menu"))
    clock.advance(days=31)
    assert "đăng ký làm dở" not in texts(await say(app, "u1", "/start"))


async def test_start_command_then_text_reminds_where_they_were(app: App) -> None:
    await _start_form(app, "u1")
    await say(app, "u1", "/start")
    lines = await say(app, "u1", "12/3/1999")
    assert intents(lines) == ["flow:intake.resume"]
    lines = await press(app, "u1", "Làm lại từ đầu")
    assert intents(lines) == ["flow:intake.who"]


async def test_coming_back_days_later(app: App, clock: Clock) -> None:
    await _start_form(app, "u1")
    clock.advance(days=3)
    lines = await say(app, "u1", "12/3/1999")
    assert intents(lines) == ["flow:intake.resume"]
    await press(app, "u1", "Làm tiếp")
    lines = await say(app, "u1", "12/3/1999")
    assert intents(lines) == ["flow:intake.gender"]


async def test_unfinished_form_expires_lazily(app: App, clock: Clock) -> None:
    await _start_form(app, "u1")
    clock.advance(days=31)
    lines = await say(app, "u1", "12/3/1999")
    assert "30 ngày" in texts(lines) and intents(lines) == ["flow:intake.none"]
    async with app.db.session() as session:
        assert await session.scalar(select(IntakeDraft)) is None


async def test_expire_drafts_job_deletes_old_forms_only(app: App, clock: Clock) -> None:
    await _start_form(app, "old")
    clock.advance(days=20)
    await _start_form(app, "new")
    clock.advance(days=11)
    async with app.db.session() as session, session.begin():
        assert await expire_drafts(session, clock.now(), days=30) == 1
    async with app.db.session() as session:
        owners = list(await session.scalars(select(IntakeDraft.contact_id)))
        flows = list(await session.scalars(select(ConversationState.flow)))
    assert len(owners) == 1 and flows.count("intake") == 1
    lines = await say(app, "old", "xin chào")
    assert not intents(lines)[0].startswith("flow:intake")


async def _simulate(tmp_path: Path, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # A new app on the same database file each time: nothing carried over in memory.
    async with build_app(make_settings(tmp_path)) as app:
        return await simulate_lines(app, *lines)


async def test_resume_across_two_simulator_runs(fresh_sqlite: Path) -> None:
    first = await _simulate(fresh_sqlite, [
        {"user": "u1", "text": "tôi muốn đăng ký"},
        {"user": "u1", "button": "Đồng ý"},
        {"user": "u1", "button": "Cho bản thân tôi"},
        {"user": "u1", "button": "Đi làm việc ở nước ngoài"},
        {"user": "u1", "text": "Lò Văn Minh"},
    ])
    assert first[-1]["meta"]["intent"] == "flow:intake.dob"
    second = await _simulate(fresh_sqlite, [
        {"user": "u1", "text": "/start"},
        {"user": "u1", "button": "Đăng ký"},
        {"user": "u1", "button": "Làm tiếp"},
        {"user": "u1", "text": "12/3/1999"},
        {"user": "u1", "button": "Nam"},
        {"user": "u1", "text": "0912345678"},
        {"user": "u1", "text": "Phù Lưu"},
        {"user": "u1", "text": "Thôn 3"},
        {"user": "u1", "button": "Kinh"},
        {"user": "u1", "button": "Hộ cận nghèo"},
        {"user": "u1", "button": "Hàn Quốc"},
        {"user": "u1", "button": "Bỏ qua"},
        {"user": "u1", "button": "Xác nhận"},
    ])
    got = [x["meta"]["intent"] for x in second]
    assert got[1:4] == ["flow:intake.resume", "flow:intake.dob", "flow:intake.gender"]
    assert "Lò Văn Minh" in second[-2]["text"] and "0912345678" in second[-2]["text"]
    assert second[-1]["meta"]["case_ref"] == "HY-2026-00001" or second[-1]["meta"][
        "case_ref"
    ].startswith("HY-")


class StubFaq(Flow):
    """Stands in for the FAQ answerer: knows one topic, logs what it does not know."""

    name = "faq"

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        if "bao nhiêu tiền" in event.text:
            ctx.reply("Chi phí đi Nhật gồm...", [[Button("faq:more", "Xem thêm")]],
                      intent="faq:abroad.costs")
            return
        ctx.session.add(FallbackQuestion(text=event.text, key=event.text))
        ctx.enter("faq", "clarify", {"x": 1})
        ctx.reply("Xin lỗi, bot chưa hiểu.", intent="fallback")


async def test_a_question_mid_form_is_answered_then_the_form_continues(app: App) -> None:
    app.engine.router = Router(build_flows(), answerer=StubFaq())
    await _start_form(app, "u1")
    lines = await say(app, "u1", "đi Nhật mất bao nhiêu tiền?")
    assert intents(lines) == ["faq:abroad.costs", "flow:intake.dob"]
    assert "buttons" not in lines[0] and "ngày sinh" in lines[1]["text"]
    lines = await say(app, "u1", "12/3/1999")
    assert intents(lines) == ["flow:intake.gender"]
    # A free-text answer that merely looks like a question is still an answer.
    await press(app, "u1", "Nam")
    lines = await say(app, "u1", "09123 hỏi")
    assert intents(lines) == ["flow:intake.phone"] and "chỉ gồm chữ số" in texts(lines)
    async with app.db.session() as session:
        logged = list(await session.scalars(select(FallbackQuestion.text)))
    assert logged == []  # the answerer's log of a phone-like answer was removed


async def test_mid_form_question_with_the_real_answerer_keeps_the_form(app: App) -> None:
    await _start_form(app, "u1")
    lines = await say(app, "u1", "đi Nhật mất bao nhiêu tiền?")
    assert intents(lines)[-1] == "flow:intake.dob"
    lines = await say(app, "u1", "12/3/1999")
    assert intents(lines) == ["flow:intake.gender"]


async def test_a_relative_registers_two_people(app: App) -> None:
    await fill_form(app, "mum", relative="Con")
    done = await press(app, "mum", "Xác nhận")
    first = done[0]["meta"]["case_ref"]
    lines = await press(app, "mum", "Đăng ký thêm người khác")
    assert intents(lines) == ["flow:intake.who"]  # consent is not asked twice
    await press(app, "mum", "Cho người thân")
    await press(app, "mum", "Cháu")
    await press(app, "mum", "Học nghề")
    for text in ("Hoàng Văn Bình", "1/1/2008"):
        await say(app, "mum", text)
    await press(app, "mum", "Nam")
    for text in ("0987654321", "Yen Phu", "Thôn 5"):
        await say(app, "mum", text)
    await press(app, "mum", "Dao")
    await press(app, "mum", "Hộ cận nghèo")
    await press(app, "mum", "1")
    await press(app, "mum", "Bỏ qua")
    done = await press(app, "mum", "Xác nhận")
    second = done[0]["meta"]["case_ref"]
    assert first != second
    cases = await all_cases(app)
    assert [(c.full_name, c.relationship_to_registrant) for c in cases] == [
        ("Nguyễn Thị Mai", "child"), ("Hoàng Văn Bình", "grandchild")
    ]
    assert cases[0].contact_id == cases[1].contact_id
    lines = await say(app, "mum", "hồ sơ của tôi")
    assert first in texts(lines) and second in texts(lines)


async def test_a_sentence_saying_later_or_cancel_is_not_saved_as_an_answer(
    app: App, clock: Clock
) -> None:
    # Seen in the second user trial: at the village question "thôi e hủy, để mai tính" was
    # saved as the village, and "de mai e lam tiep" as the ethnic group.
    await _start_form(app, "u1")
    await say(app, "u1", "12/3/1999")
    await press(app, "u1", "Nam")
    await say(app, "u1", "0912 345 678")
    lines = await press(app, "u1", "Phù Lưu")
    assert intents(lines) == ["flow:intake.village"]
    lines = await say(app, "u1", "thoi e huy, de mai tinh")
    assert intents(lines) == ["flow:intake.paused"]
    clock.advance(days=1)
    lines = await say(app, "u1", "tiep tuc")
    assert intents(lines) == ["flow:intake.village"]
    lines = await say(app, "u1", "thoi em huy dang ky")
    assert intents(lines) == ["flow:intake.cancel"]
    await press(app, "u1", "Không, làm tiếp")
    await say(app, "u1", "thôn 3")
    async with app.db.session() as session:
        draft = await session.scalar(select(IntakeDraft))
    assert draft is not None and draft.data["village"] == "Thôn 3"


async def test_a_sentence_is_not_saved_as_another_ethnic_group(app: App) -> None:
    await _start_form(app, "u1")
    await say(app, "u1", "12/3/1999")
    await press(app, "u1", "Nam")
    await say(app, "u1", "0912 345 678")
    await press(app, "u1", "Phù Lưu")
    await say(app, "u1", "thôn 3")
    lines = await say(app, "u1", "nha em o gan song lo")
    assert intents(lines)[-1] == "flow:intake.ethnicity", lines
    assert "chỉ gõ tên dân tộc" in texts(lines)
    lines = await say(app, "u1", "dân tộc Sán Dìu")
    assert intents(lines) == ["flow:intake.household"]
    async with app.db.session() as session:
        draft = await session.scalar(select(IntakeDraft))
    assert draft is not None and draft.data["ethnicity"] == "Sán Dìu"


async def test_saying_continue_continues(app: App, clock: Clock) -> None:
    """Second user trial: back a day later, "tiep tuc" got "Anh/chị muốn làm tiếp không?"."""
    await _start_form(app, "u1")
    clock.advance(days=1)
    assert intents(await say(app, "u1", "tiep tuc")) == ["flow:intake.dob"]
    await say(app, "u1", "menu")
    assert intents(await say(app, "u1", "tiếp tục")) == ["flow:intake.dob"]
    assert intents(await say(app, "u1", "12/3/1999")) == ["flow:intake.gender"]
