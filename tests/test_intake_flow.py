from datetime import date

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.types import Channel
from storage.crypto import Cipher
from storage.models import Case, Contact, IntakeDraft, Notice
from tests.helpers import intents, press, say, texts
from tests.intake_support import all_cases, fill_form


async def test_full_registration_on_console(app: App) -> None:
    summary = await fill_form(app, "u1")
    assert intents(summary) == ["flow:intake.summary"]
    text = texts(summary)
    for shown in ("Nguyễn Thị Mai", "12/03/1999", "Nữ", "0912345678", "Phù Lưu", "Thôn Khuổi Lếch",
                  "Tày", "Hộ nghèo", "Nhật Bản", "025199004321"):
        assert shown in text
    done = await press(app, "u1", "Xác nhận")
    assert intents(done) == ["flow:intake.done"]
    ref = done[0]["meta"]["case_ref"]
    assert ref == "HY-2026-00001"
    assert ref in done[0]["text"] and "5 ngày làm việc" in done[0]["text"]
    [case] = await all_cases(app)
    assert (case.ref, case.status, case.kind, case.market) == (ref, "new", "abroad", "japan")
    assert case.date_of_birth == date(1999, 3, 12)
    assert case.phone_enc and "0912345678" not in case.phone_enc
    assert Cipher().decrypt(case.phone_enc) == "0912345678"
    assert case.citizen_id_enc and Cipher().decrypt(case.citizen_id_enc) == "025199004321"
    async with app.db.session() as session:
        notice = await session.scalar(select(Notice))
        contact = await session.scalar(select(Contact))
        assert await session.scalar(select(IntakeDraft)) is None
    assert notice is not None and notice.kind == "new_case" and notice.case_id == case.id
    assert notice.text_key == "casework.notice_new_case" and notice.unit_id == case.unit_id
    assert notice.params["ref"] == ref and "Mai" not in str(notice.params)
    assert notice.delivered_at is None
    assert contact is not None and contact.consent_version == "dk-2026-3"
    assert contact.consent_at is not None


async def test_full_registration_on_zalo_uses_numbers(app: App) -> None:
    lines = await say(app, "z0", "tôi muốn đăng ký", channel=Channel.ZALO)
    assert "buttons" not in lines[0] and "1. Đồng ý" in lines[0]["text"]
    lines = await say(app, "z0", "1", channel=Channel.ZALO)
    assert intents(lines) == ["flow:intake.who"] and "2. Cho người thân" in lines[0]["text"]
    summary = await fill_form(app, "z1", channel=Channel.ZALO)
    assert "buttons" not in summary[0] and "1. Xác nhận" in summary[0]["text"]
    done = await say(app, "z1", "1", channel=Channel.ZALO)
    assert done[0]["meta"]["case_ref"] == "HY-2026-00001"
    assert "1. Đăng ký thêm người khác" in done[0]["text"]


async def test_course_registration_and_refs_are_sequential(app: App) -> None:
    await fill_form(app, "u1")
    await press(app, "u1", "Xác nhận")
    summary = await fill_form(
        app, "u2", kind="Học nghề", choice="1", person={"dob": "1/1/2010", "cid": "Bỏ qua"}
    )
    assert "Kỹ thuật trồng và chăm sóc cam sành" in texts(summary)
    assert "Số căn cước: (chưa nhập)" in texts(summary)
    done = await press(app, "u2", "Xác nhận")
    assert done[0]["meta"]["case_ref"] == "HY-2026-00002"
    assert "xác nhận trước ngày khai giảng" in texts(done)
    cases = await all_cases(app)
    assert [c.kind for c in cases] == ["abroad", "course"]
    assert cases[1].course_id is not None and cases[1].citizen_id_enc is None


async def test_fifteen_is_old_enough_for_a_class_but_not_for_abroad(app: App) -> None:
    summary = await fill_form(
        app, "u1", kind="Học nghề", choice="1", person={"dob": "10/7/2011", "cid": "Bỏ qua"}
    )
    assert intents(summary) == ["flow:intake.summary"]
    await press(app, "u1", "Sửa thông tin")
    await press(app, "u1", "Việc đăng ký")
    lines = await press(app, "u1", "Đi làm việc ở nước ngoài")
    # The birth date no longer fits: it is asked again, with the reason.
    assert intents(lines) == ["flow:intake.dob"] and "kiểm tra lại ngày sinh" in texts(lines)
    lines = await say(app, "u1", "10/7/2011")
    assert "đủ 18 tuổi" in texts(lines)


async def test_every_question_offers_back_cancel_menu_and_an_example(app: App) -> None:
    await say(app, "u1", "đăng ký")
    lines = await press(app, "u1", "Đồng ý")
    assert lines[0]["buttons"][-1] == ["Quay lại", "Hủy", "Menu"]
    await press(app, "u1", "Cho bản thân tôi")
    lines = await press(app, "u1", "Học nghề")
    assert "Ví dụ: Nguyễn Thị Hoa" in lines[0]["text"]
    assert lines[0]["buttons"][-1] == ["Quay lại", "Hủy", "Menu"]


async def test_invalid_answers_reask_with_reason_and_example(app: App) -> None:
    await say(app, "u1", "đăng ký")
    await press(app, "u1", "Đồng ý")
    await press(app, "u1", "Cho bản thân tôi")
    await press(app, "u1", "Đi làm việc ở nước ngoài")
    lines = await say(app, "u1", "Hoa")
    assert intents(lines) == ["flow:intake.full_name"]
    assert "Cần đủ cả họ và tên" in lines[0]["text"] and "Ví dụ" in lines[0]["text"]
    await say(app, "u1", "Lò Thị Hoa")
    lines = await say(app, "u1", "31/2/2000")
    assert "không có trên lịch" in lines[0]["text"] and intents(lines) == ["flow:intake.dob"]
    lines = await say(app, "u1", "1/1/2010")
    assert "đủ 18 tuổi" in lines[0]["text"]
    lines = await say(app, "u1", "12.3.1999")
    assert intents(lines) == ["flow:intake.gender"]
    lines = await say(app, "u1", "đực")
    assert intents(lines) == ["flow:intake.gender"] and "chọn" in lines[0]["text"]
    await press(app, "u1", "Nữ")
    lines = await say(app, "u1", "0212345678")
    assert "số di động" in lines[0]["text"] and intents(lines) == ["flow:intake.phone"]
    await say(app, "u1", "+84 98 765 4321")
    lines = await say(app, "u1", "Hà Nội")
    assert "không tìm thấy xã" in lines[0]["text"]
    lines = await say(app, "u1", "Bach Xa")
    assert intents(lines) == ["flow:intake.village"]
    await say(app, "u1", "Bản Khuổi Hóp")
    lines = await say(app, "u1", "Hoa")  # a name not among the buttons is the answer
    assert intents(lines) == ["flow:intake.household"]
    await press(app, "u1", "Không rõ")
    await press(app, "u1", "Hàn Quốc")
    lines = await say(app, "u1", "008099001234")
    assert "giới tính" in lines[0]["text"] and intents(lines) == ["flow:intake.citizen_id"]
    lines = await say(app, "u1", "123456789")
    assert "CMND" in lines[0]["text"]
    lines = await press(app, "u1", "Bỏ qua")
    assert intents(lines) == ["flow:intake.summary"]
    assert "0987654321" in lines[0]["text"] and "Bạch Xa" in lines[0]["text"]
    assert "Dân tộc: Hoa" in lines[0]["text"]


async def _at_the_phone_question(app: App) -> None:
    """u1 registers to work abroad and has answered up to the phone question."""
    await say(app, "u1", "đăng ký")
    await press(app, "u1", "Đồng ý")
    await press(app, "u1", "Cho bản thân tôi")
    await press(app, "u1", "Đi làm việc ở nước ngoài")
    for answer in ("Lò Thị Hoa", "12.3.1999"):
        await say(app, "u1", answer)
    await press(app, "u1", "Nữ")


async def test_the_ethnicity_question_keeps_a_household_typed_early_and_saves_no_other_text(
    app: App,
) -> None:
    # Found in the simulator on Zalo: "ho can ngheo", the next question's answer typed at the
    # ethnicity question, was saved as the ethnicity, and the household was asked after it.
    await _at_the_phone_question(app)
    for answer in ("0987654321", "Bach Xa", "Bản Khuổi Hóp"):
        await say(app, "u1", answer)
    lines = await say(app, "u1", "ho can ngheo")
    assert intents(lines) == ["flow:intake.ethnicity"]
    assert "Diện hộ: Hộ cận nghèo" in lines[0]["text"] and "(Còn 4 câu)" in lines[0]["text"]
    for text in ("thon nam", "con trai", "Hà Nội"):  # no ethnic group's name
        lines = await say(app, "u1", text)
        assert intents(lines) == ["flow:intake.ethnicity"]
        assert "chưa nhận ra tên dân tộc" in lines[0]["text"], text
    lines = await say(app, "u1", "người Hoa")  # not among the options, still an ethnic group
    assert intents(lines) == ["flow:intake.market"]  # the household is not asked again
    async with app.db.session() as session:
        draft = await session.scalar(select(IntakeDraft))
    assert draft is not None
    assert draft.data["ethnicity"] == "Hoa" and draft.data["household"] == "can_ngheo"


async def test_back_edit_and_cancel(app: App) -> None:
    await say(app, "u1", "đăng ký")
    await press(app, "u1", "Đồng ý")
    lines = await press(app, "u1", "Quay lại")
    assert intents(lines) == ["flow:intake.who"] and "câu đầu tiên" in lines[0]["text"]
    await press(app, "u1", "Cho bản thân tôi")
    await press(app, "u1", "Đi làm việc ở nước ngoài")
    await say(app, "u1", "Lò Văn Minh")
    lines = await say(app, "u1", "quay lai")
    assert intents(lines) == ["flow:intake.full_name"] and "Lò Văn Minh" in texts(lines)
    lines = await press(app, "u1", "Quay lại")
    assert intents(lines) == ["flow:intake.kind"]
    lines = await press(app, "u1", "Quay lại")
    assert intents(lines) == ["flow:intake.who"]
    lines = await press(app, "u1", "Cho bản thân tôi")  # answered ones are skipped onwards
    assert intents(lines) == ["flow:intake.dob"]
    summary = await fill_form(app, "u2")
    assert intents(summary) == ["flow:intake.summary"]
    await press(app, "u2", "Sửa thông tin")
    lines = await press(app, "u2", "Điện thoại")
    assert intents(lines) == ["flow:intake.phone"] and "0912345678" in lines[0]["text"]
    lines = await say(app, "u2", "0987 654 321")
    assert intents(lines) == ["flow:intake.summary"] and "0987654321" in lines[0]["text"]
    # Changing abroad → course needs a class, then comes back to the summary.
    await press(app, "u2", "Sửa thông tin")
    await press(app, "u2", "Việc đăng ký")
    lines = await press(app, "u2", "Học nghề")
    assert intents(lines) == ["flow:intake.course"]
    lines = await press(app, "u2", "1")
    assert intents(lines) == ["flow:intake.summary"] and "Lớp học" in lines[0]["text"]
    assert "Nước muốn đến" not in lines[0]["text"]
    lines = await say(app, "u2", "hủy")
    assert intents(lines) == ["flow:intake.cancel"]
    lines = await press(app, "u2", "Không, làm tiếp")
    assert intents(lines) == ["flow:intake.summary"]
    await press(app, "u2", "Hủy")
    lines = await press(app, "u2", "Có, hủy")
    assert intents(lines) == ["flow:intake.cancelled"]
    async with app.db.session() as session:
        drafts = list(await session.scalars(select(IntakeDraft.contact_id)))
    assert len(drafts) == 1  # u1's form is still open; u2's is gone
    assert await all_cases(app) == []


async def test_declining_consent_keeps_nothing(app: App) -> None:
    await say(app, "u1", "đăng ký")
    lines = await press(app, "u1", "Không đồng ý")
    assert intents(lines) == ["flow:intake.declined"]
    async with app.db.session() as session:
        contact = await session.scalar(select(Contact))
        assert await session.scalar(select(IntakeDraft)) is None
    assert contact is not None and contact.consent_at is None


async def test_registration_questions_still_go_to_the_faq(app: App) -> None:
    lines = await say(app, "u1", "đăng ký học nghề thế nào")
    assert not intents(lines)[0].startswith("flow:intake")


async def test_a_village_typed_at_the_phone_question_is_kept_for_its_question(app: App) -> None:
    # Found in the simulator on Zalo: "thon 5" at the phone question got "Số điện thoại chỉ gồm
    # chữ số", and the village question came after all the same.
    await _at_the_phone_question(app)
    lines = await say(app, "u1", "thon 5")
    assert intents(lines) == ["flow:intake.phone"]
    assert "Thôn/bản: Thôn 5" in lines[0]["text"]
    await say(app, "u1", "0987654321")
    lines = await say(app, "u1", "Bach Xa")
    assert intents(lines) == ["flow:intake.ethnicity"]  # the village is not asked again


@pytest.mark.parametrize("said", ["sai so dien thoai", "số điện thoại bị sai rồi",
                                  "ngay sinh nham"])
async def test_saying_a_field_is_wrong_at_the_summary_edits_it(app: App, said: str) -> None:
    # "sai số điện thoại" got "answer by number", and "đúng rồi" registered the wrong number.
    assert intents(await fill_form(app, "u1")) == ["flow:intake.summary"]
    lines = await say(app, "u1", said)
    assert intents(lines) == [
        "flow:intake.dob" if "ngay" in said else "flow:intake.phone"]


async def test_a_mobile_number_typed_at_the_summary_replaces_the_phone(app: App) -> None:
    assert intents(await fill_form(app, "u1", channel=Channel.ZALO)) == ["flow:intake.summary"]
    lines = await say(app, "u1", "so dung la 0912 333 444", channel=Channel.ZALO)
    assert intents(lines) == ["flow:intake.summary"]
    assert texts(lines).startswith("Đã sửa: Điện thoại: 0912333444.")
    await say(app, "u1", "dung roi", channel=Channel.ZALO)
    async with app.db.session() as session:
        case = await session.scalar(select(Case))
    assert case is not None and Cipher().decrypt(case.phone_enc) == "0912333444"
