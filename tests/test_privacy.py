import json
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bot.app import App
from handlers.types import Channel
from storage.models import Base, Case, Contact, IntakeDraft, Notice, OutboxMessage
from tests.helpers import intents, press, say, texts
from tests.intake_support import all_cases, fill_form

SECRETS = ("Nguyễn Thị Mai", "0912345678", "025199004321", "Thôn Khuổi Lếch", "Lò Văn Minh",
           "0987654321")


async def _dump(app: App) -> str:
    """Every value of every table as text, for "is it anywhere?" checks."""
    chunks: list[str] = []
    async with app.db.session() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(text(f'SELECT * FROM "{table.name}"'))).all()
            chunks.extend(f"{table.name}: {tuple(r)!r}" for r in rows)
    return "\n".join(chunks)


async def test_my_cases_lists_status_and_next_step(app: App) -> None:
    lines = await say(app, "u1", "hồ sơ của tôi")
    assert intents(lines) == ["flow:status.cases"] and "chưa có hồ sơ" in texts(lines)
    await fill_form(app, "u1")
    done = await press(app, "u1", "Xác nhận")
    ref = done[0]["meta"]["case_ref"]
    lines = await say(app, "u1", "tra cuu")
    assert ref in texts(lines) and "chờ cán bộ xã liên hệ" in texts(lines)
    assert "Bước tiếp theo" in texts(lines)
    lines = await say(app, "u1", "/tracuu")
    assert ref in texts(lines)


async def test_see_my_data_shows_everything_in_one_message(app: App) -> None:
    await fill_form(app, "u1")
    await press(app, "u1", "Xác nhận")
    lines = await say(app, "u1", "xem dữ liệu của tôi")
    assert len(lines) == 1 and intents(lines) == ["flow:privacy.view"]
    # Under the data: what to do with it, not «Xem dữ liệu của tôi» again.
    assert lines[0]["buttons"] == [["Hồ sơ của tôi"], ["Xóa dữ liệu của tôi"]]
    for shown in ("Nguyễn Thị Mai", "12/03/1999", "0912345678", "025199004321", "Phù Lưu",
                  "Thôn Khuổi Lếch", "Tày", "Hộ nghèo", "Nhật Bản", "dk-2026-3"):
        assert shown in lines[0]["text"], shown


async def test_the_account_is_named_by_its_platform(app: App) -> None:
    # Found in the simulator on Zalo: "Tài khoản zalo", the stored value as it is.
    lines = await say(app, "u1", "xem dữ liệu của tôi", channel=Channel.ZALO)
    assert "• Tài khoản Zalo, dùng bot từ" in texts(lines)
    lines = await say(app, "u2", "xem dữ liệu của tôi", channel=Channel.TELEGRAM)
    assert "• Tài khoản Telegram, dùng bot từ" in texts(lines)


async def test_delete_my_data_leaves_no_personal_data_in_any_table(app: App) -> None:
    await fill_form(app, "u1")
    await press(app, "u1", "Xác nhận")
    await fill_form(app, "u1", relative="Con", person={"name": "Lò Văn Minh",
                                                       "phone": "0987654321"})
    await press(app, "u1", "Xác nhận")
    await fill_form(app, "other", person={"name": "Hà Văn Khánh", "phone": "0977000111",
                                          "village": "Thôn 9", "cid": "Bỏ qua"})
    await press(app, "other", "Xác nhận")
    await say(app, "u1", "đăng ký")  # and an unfinished third form
    await press(app, "u1", "Cho bản thân tôi")
    before = await _dump(app)
    assert "Nguyễn Thị Mai" in before
    lines = await say(app, "u1", "xóa dữ liệu của tôi")  # mid-form: the form waits
    assert intents(lines) == ["flow:privacy.delete_confirm"]
    lines = await press(app, "u1", "Có, xóa hết")
    assert intents(lines) == ["flow:privacy.deleted"] and "2 hồ sơ" in texts(lines)
    after = await _dump(app)
    for secret in SECRETS:
        # JSON columns may hold the text \u-escaped (SQLite) or as is (PostgreSQL).
        for form in (secret, json.dumps(secret)[1:-1]):
            assert form not in after, [x for x in after.splitlines() if form in x]
    assert "Hà Văn Khánh" in after  # someone else's data stays
    cases = await all_cases(app)
    mine = [c for c in cases if c.contact_id is None]
    assert len(cases) == 3 and len(mine) == 2
    for case in mine:
        assert case.status == "withdrawn" and case.phone_enc is None and case.full_name is None
        assert case.citizen_id_enc is None and case.date_of_birth is None
        assert case.kind and case.unit_id and case.ethnicity == "Tày"  # counts still work
    async with app.db.session() as session:
        assert await session.scalar(select(IntakeDraft)) is None
        notices = list(await session.scalars(select(Notice.case_id).where(Notice.kind != "erased")))
        # The officers are told which references lost their data (no name, no case link).
        erased = list(await session.scalars(select(Notice).where(Notice.kind == "erased")))
        contact = await session.scalar(select(Contact).where(Contact.platform_user_id == "u1"))
        kept = list(await session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.contact_id == contact.id)  # type: ignore[union-attr]
        ))
    assert notices == [cases[2].id]
    assert len(erased) == 1 and erased[0].case_id is None and "HY-" in erased[0].params["refs"]
    assert contact is not None and contact.consent_at is None and contact.display_name == ""
    assert len(kept) == 1  # only the "deleted" confirmation
    lines = await say(app, "u1", "hồ sơ của tôi")
    assert "chưa có hồ sơ" in texts(lines)


async def test_not_deleting_keeps_everything(app: App) -> None:
    await fill_form(app, "u1")
    await press(app, "u1", "Xác nhận")
    await say(app, "u1", "xóa dữ liệu")
    lines = await press(app, "u1", "Không xóa")
    assert "không xóa gì" in texts(lines)
    [case] = await all_cases(app)
    assert case.full_name == "Nguyễn Thị Mai"


async def test_a_typed_yes_asks_again_then_the_button_deletes(app: App) -> None:
    """Second user trial (Telegram): "co" at the deletion question got a "which topic?" about
    working abroad, and the question was gone; typed, it deletes nothing, it asks again."""
    await fill_form(app, "u1")
    await press(app, "u1", "Xác nhận")
    # "của em", "của e" as well as "của tôi" (second user trial: "xoa du lieu cua e" got the
    # privacy FAQ, and the "co" that followed a "which topic?").
    assert intents(await say(app, "u1", "xem du lieu cua e")) == ["flow:privacy.view"]
    assert intents(await say(app, "u1", "xoa du lieu cua e")) == ["flow:privacy.delete_confirm"]
    for typed in ("co", "có ạ", "xoa di"):
        lines = await say(app, "u1", typed)
        assert intents(lines) == ["flow:privacy.help", "flow:privacy.delete_confirm"], lines
        assert "Có, xóa hết" in texts(lines)
    [case] = await all_cases(app)
    assert case.full_name == "Nguyễn Thị Mai"
    lines = await press(app, "u1", "Có, xóa hết")
    assert "Đã xóa dữ liệu" in texts(lines)


async def test_delete_also_removes_rows_other_features_attach_to_the_case(
    app: App, tmp_path: Path
) -> None:
    await fill_form(app, "u1")
    await press(app, "u1", "Xác nhận")
    [case] = await all_cases(app)
    sha = await app.files.put(b"photo of a household book")
    extra: dict[str, Any] = {}
    tables = Base.metadata.tables
    if "dossier_documents" in tables:
        extra = {"case_id": case.id, "item_key": "cccd", "page": 1, "kind": "photo",
                 "mime_type": "image/jpeg", "size": 10, "sha256": sha, "page_count": 1}
        async with app.db.session() as session, session.begin():
            await session.execute(tables["dossier_documents"].insert().values(
                created_at=case.created_at, **extra))
    await say(app, "u1", "xóa dữ liệu của tôi")
    await press(app, "u1", "Có, xóa hết")
    if extra:
        async with app.db.session() as session:
            count = (await session.execute(text("SELECT count(*) FROM dossier_documents"))).scalar()
        assert count == 0
        assert not app.files.exists(sha)
    async with app.db.session() as session:
        assert (await session.get(Case, case.id)) is not None


async def test_deleting_in_the_middle_of_the_form_does_not_say_it_was_kept(app: App) -> None:
    """"xoá hết thông tin của tôi đi" typed at a question of the form answered "Bot đã lưu phần
    đăng ký dở…" before asking to delete it all; «Không xóa» brings the form back anyway."""
    await say(app, "u1", "tôi muốn đăng ký")
    await press(app, "u1", "Đồng ý")
    await press(app, "u1", "Cho bản thân tôi")
    lines = await say(app, "u1", "xoá hết thông tin của tôi đi")
    assert intents(lines) == ["flow:privacy.delete_confirm"], lines
    assert intents(await press(app, "u1", "Không xóa"))[-1].startswith("flow:intake")
    # Nobody registered: the confirmation does not count "0 hồ sơ".
    await say(app, "u2", "xóa dữ liệu của tôi")
    lines = await press(app, "u2", "Có, xóa hết")
    assert intents(lines) == ["flow:privacy.deleted"] and "hồ sơ" not in texts(lines)


async def test_my_data_names_the_questions_sent_to_officers(app: App) -> None:
    """The privacy view listed a registration, the announcements and "Tin nhắn bot gửi: 46", but
    not the question sent to an officer, which a deletion removes too."""
    await say(app, "u1", "gặp cán bộ")
    await press(app, "u1", "Phù Lưu")
    await say(app, "u1", "cho em hỏi lớp may bao giờ học")
    lines = await say(app, "u1", "xem dữ liệu của tôi")
    assert intents(lines) == ["flow:privacy.view"]
    assert "Câu hỏi anh/chị gửi cán bộ (kèm câu trả lời): 1 cuộc trao đổi" in texts(lines)
