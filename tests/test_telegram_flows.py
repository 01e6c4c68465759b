"""The colleagues' flows on Telegram, end to end: the real PTB client polling the fake Bot API
server, buttons pressed by their callback data, files fetched with getFile + download."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.dossier.validate import check_file
from handlers.types import Channel
from messages import t
from storage.crypto import Cipher
from storage.models import Case, Contact, DossierDocument
from tests.dossier_support import jpeg, make_case, pdf
from tests.helpers import Clock
from tests.telegram_harness import TelegramHarness, telegram_harness


@pytest.fixture
async def tg(app: App) -> AsyncIterator[TelegramHarness]:
    async with telegram_harness(app) as harness:
        yield harness


async def test_a_full_registration_through_telegram_buttons_and_typed_answers(
    tg: TelegramHarness, app: App
) -> None:
    mai = tg.user(601)
    [menu] = await mai.type("/start")
    assert mai.callback_data(t("menu.button.register")) == "menu:register"
    consent = await mai.press(t("menu.button.register"))
    assert consent[-1].buttons  # the consent text with "Đồng ý" / "Không đồng ý"
    await mai.press(t("intake.consent_yes"))
    await mai.press(t("intake.option.who.self"))
    await mai.press(t("intake.option.kind.abroad"))
    for typed in ("Nguyễn Thị Mai", "12/3/1999"):
        await mai.type(typed)
    await mai.press(t("intake.option.gender.female"))
    for typed in ("0912 345 678", "phu luu", "Thôn Khuổi Lếch"):
        await mai.type(typed)
    await mai.press("Tày")
    await mai.press("Hộ nghèo")
    await mai.press("Nhật Bản")
    summary = await mai.type("025199004321")
    shown = "\n".join(s.text for s in summary)
    for value in ("Nguyễn Thị Mai", "12/03/1999", "0912345678", "Thôn Khuổi Lếch", "Nhật Bản"):
        assert value in shown
    done = await mai.press(t("intake.button.confirm"))

    async with app.db.session() as session:
        case = await session.scalar(select(Case))
        contact = await session.scalar(select(Contact).where(Contact.channel == "telegram"))
    assert case is not None and contact is not None
    assert (case.ref, case.kind, case.status, case.market) == (
        "HY-2026-00001",
        "abroad",
        "new",
        "japan",
    )
    assert case.contact_id == contact.id and contact.platform_user_id == "601"
    assert case.full_name == "Nguyễn Thị Mai" and case.date_of_birth == date(1999, 3, 12)
    assert case.village == "Thôn Khuổi Lếch" and case.ethnicity == "Tày"
    assert case.phone_enc and Cipher().decrypt(case.phone_enc) == "0912345678"
    assert contact.consent_at is not None
    confirmation = done[0].text
    assert confirmation.startswith("Đã đăng ký xong! Mã hồ sơ: HY-2026-00001")
    assert "5 ngày làm việc" in confirmation
    # Every press was answered and its spent keyboard removed; no callback data over 64 bytes.
    methods = [m for m, _ in tg.fake.calls]
    assert methods.count("answerCallbackQuery") == methods.count("editMessageReplyMarkup") == 9
    assert all(len(d.encode()) <= 64 for s in tg.fake.sent for row in s.buttons for d, _ in row)
    assert menu.method == "sendMessage"


async def test_a_dossier_photo_and_pdf_sent_through_telegram_are_stored(
    tg: TelegramHarness, app: App, clock: Clock
) -> None:
    case_id = await make_case(app, "602", channel=Channel.TELEGRAM)
    an = tg.user(602)
    await an.type("/start")
    checklist = await an.press(t("menu.button.dossier"))
    items = [
        (d, label)
        for row in checklist[-1].buttons
        for d, label in row
        if d.startswith("dossier:item:")
    ]
    assert items, "the checklist offers the dossier items as buttons"
    item_data, title = items[0]
    item_key = item_data.removeprefix("dossier:item:")
    await an.press_data(item_data)

    photo = jpeg(11, size=(800, 1100))
    [ack] = await an.photo(photo)
    assert ack.text.startswith(f"Đã nhận trang 1 của «{title}»")
    clock.advance(minutes=5)  # not part of the same burst: the PDF gets its own answer
    document = pdf(2, "giay khai sinh")
    [ack] = await an.document(document, "giay_khai_sinh.pdf")
    assert ack.text.startswith(f"Đã nhận tệp PDF (2 trang) của «{title}»")
    done = await an.type("xong")
    assert done[0].text.startswith(f"Đã lưu «{title}»")
    assert any(d.startswith("dossier:item:") for row in done[-1].buttons for d, _ in row)

    downloaded = [p["file_id"] for m, p in tg.fake.calls if m == "getFile"]
    assert downloaded == ["file1", "file2"]
    async with app.db.session() as session:
        docs = list(
            await session.scalars(
                select(DossierDocument)
                .where(DossierDocument.case_id == case_id)
                .order_by(DossierDocument.id)
            )
        )
    assert [(d.item_key, d.page) for d in docs] == [(item_key, 1), (item_key, 2)]
    assert [d.mime_type for d in docs] == ["image/jpeg", "application/pdf"]
    assert docs[1].page_count == 2
    # The photo is stored re-encoded (see handlers/dossier/validate.py), the PDF as sent.
    assert [await app.files.get(d.sha256) for d in docs] == [check_file(photo).data, document]
