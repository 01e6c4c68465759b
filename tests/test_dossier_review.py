"""Officer review: who may open a dossier, the waiting list, free-text reasons, deletion."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from handlers.access import get_officer
from handlers.dossier import list_waiting_dossiers
from handlers.dossier.validate import check_file
from handlers.dossier.views import named_page
from handlers.types import Channel, InboundKind
from storage.dossier_repo import delete_case_documents
from storage.models import Contact, DossierDocument, DossierEvent, DossierItem, DossierTracker
from tests.dossier_support import click, jpeg, make_case, make_officer, pdf, two_units
from tests.helpers import intents, press, say, send_file, texts

ITEMS = ["request_form", "contract", "passport_visa", "training_cert", "receipts"]


async def _complete(app: App, user: str = "fam") -> None:
    await say(app, user, "hồ sơ")
    for n, key in enumerate(ITEMS):
        await click(app, user, f"dossier:item:{key}")
        await send_file(app, user, jpeg(500 + n + 17 * len(user)))
        await say(app, user, "xong")


async def _officer(app: App, user: str):  # type: ignore[no-untyped-def]
    async with app.db.session() as session:
        contact = await session.scalar(select(Contact).where(Contact.platform_user_id == user))
        assert contact is not None
        return await get_officer(session, contact.id)


async def test_another_communes_officer_is_refused(app: App) -> None:
    home, other = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=home)
    await make_officer(app, "xa_khac", role="commune", unit_id=other)
    await make_officer(app, "phong", role="office", unit_id=None)
    await _complete(app)

    lines = await click(app, "xa_khac", f"review:open:{case_id}")
    assert texts(lines) == "Anh/chị không có quyền mở hồ sơ này (hồ sơ của xã khác)."
    assert "attachments" not in lines[0]
    lines = await click(app, "xa_khac", f"review:ok:{case_id}:contract")
    assert "không có quyền" in texts(lines)
    officer_other = await _officer(app, "xa_khac")
    officer_office = await _officer(app, "phong")
    async with app.db.session() as session:
        item = await session.scalar(select(DossierItem).where(DossierItem.item_key == "contract"))
        assert item is not None and item.status == "sent"
        waiting_other = await list_waiting_dossiers(session, officer_other)
        waiting_office = await list_waiting_dossiers(session, officer_office)
    assert waiting_other == []
    assert [(w.ref, w.button_id) for w in waiting_office] == [
        ("HY-2026-00001", f"review:open:{case_id}")
    ]

    # A plain user is not an officer at all.
    lines = await click(app, "fam", f"review:open:{case_id}")
    assert "chỉ dành cho cán bộ" in texts(lines)

    # The district office may open it.
    lines = await click(app, "phong", f"review:open:{case_id}")
    assert lines[-1]["meta"]["item"] == "request_form"
    assert len(lines[-1]["attachments"]) == 1


async def test_free_text_reason_reaches_the_family(app: App) -> None:
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit)
    await make_officer(app, "cb", role="commune", unit_id=unit)
    await _complete(app)
    await click(app, "cb", f"review:open:{case_id}")
    lines = await click(app, "cb", f"review:other:{case_id}:request_form")
    assert "Gõ lý do" in texts(lines)
    lines = await say(app, "cb", "Thiếu chữ ký của người lao động")
    family = [line for line in lines if line["to"] == "fam"]
    assert "Lý do: Thiếu chữ ký của người lao động." in texts(family)
    assert "Đơn đề nghị hỗ trợ" in texts(family)
    # The officer moves straight on to the next item.
    assert [line for line in lines if line["to"] == "cb"][-1]["meta"]["item"] == "contract"
    lines = await say(app, "fam", "hồ sơ")
    assert "cần chụp lại (Thiếu chữ ký của người lao động)" in texts(lines)


async def test_a_reason_typed_at_the_item_is_taken_and_a_word_is_not(app: App) -> None:
    # Found in the simulator on Telegram: "anh nay con thieu chu ky o trang 2" typed under an
    # item ("Duyệt, hay yêu cầu gửi lại với lý do?") left the review and got "which topic?";
    # the officer's next tap on «Duyệt» then got "not the bot's business".
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit)
    await make_officer(app, "cb", role="commune", unit_id=unit)
    await _complete(app)
    await click(app, "cb", f"review:open:{case_id}")
    # Typed unasked, the reason is shown before it goes: "bo trang 2 di", said to the bot,
    # went to the family as the reason (found by an officer's trial). Not sent, the item is
    # asked again; another sentence there is the reason instead.
    lines = await say(app, "cb", "bo trang 2 di")
    assert intents(lines) == ["flow:review.confirm_reason"] and not [
        line for line in lines if line["to"] == "fam"]
    assert "lý do: «bo trang 2 di»?" in texts(lines)
    lines = await say(app, "cb", "khong")
    assert lines[-1]["meta"]["item"] == "request_form" and not [
        line for line in lines if line["to"] == "fam"]
    await say(app, "cb", "mat qua khong doc duoc")
    lines = await say(app, "cb", "con thieu chu ky o trang 2")
    assert "lý do: «con thieu chu ky o trang 2»?" in texts(lines)
    lines = await say(app, "cb", "gui")
    family = [line for line in lines if line["to"] == "fam"]
    assert "Lý do: con thieu chu ky o trang 2." in texts(family)
    officer = [line for line in lines if line["to"] == "cb"]
    assert officer[0]["meta"]["intent"] == "flow:review.rejected"
    assert officer[-1]["meta"]["item"] == "contract"  # the review goes on
    # The undo is on the next item's message, as after a tap on a reason.
    assert officer[-1]["buttons"][-1] == ["Nhầm, duyệt lại mục 1"]
    # One word is not a reason: "duyet" is the «Duyệt» button typed.
    lines = await say(app, "cb", "duyet")
    assert lines[0]["meta"]["intent"] == "flow:review.approved"


async def test_deleting_a_case_dossier_removes_rows_and_unshared_files(app: App) -> None:
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit)
    await _complete(app)
    # Another family sent one identical photo: that file must survive.
    other = await make_case(app, "ban", ref="HY-2026-00002", unit_id=unit)
    await say(app, "ban", "hồ sơ")
    await click(app, "ban", "dossier:item:contract")
    shared = jpeg(500 + 17 * len("fam"))
    await send_file(app, "ban", shared)
    async with app.db.session() as session:
        hashes = list(
            await session.scalars(
                select(DossierDocument.sha256).where(DossierDocument.case_id == case_id)
            )
        )
    async with app.db.session() as session, session.begin():
        await delete_case_documents(session, case_id, app.files)
    async with app.db.session() as session:
        for model in (DossierDocument, DossierItem, DossierEvent, DossierTracker):
            count = await session.scalar(
                select(func.count()).select_from(model).where(model.case_id == case_id)
            )
            assert count == 0, model
        assert await session.scalar(
            select(func.count()).select_from(DossierDocument).where(
                DossierDocument.case_id == other
            )
        ) == 1
    shared_sha = hashlib.sha256(check_file(shared).data).hexdigest()  # stored re-encoded
    assert [app.files.exists(h) for h in hashes if h != shared_sha] == [False] * 4
    assert app.files.exists(shared_sha)


async def test_a_reason_too_long_is_refused_not_cut(app: App) -> None:
    """A 600-character reason reached the family cut at 500, the officer never told."""
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit)
    await make_officer(app, "cb", role="commune", unit_id=unit)
    await _complete(app)
    await click(app, "cb", f"review:open:{case_id}")
    await click(app, "cb", f"review:other:{case_id}:request_form")
    long_reason = "Trang 2 bị mờ, chụp lại ở chỗ sáng, đủ bốn góc tờ đơn. " * 11
    lines = await say(app, "cb", long_reason)
    assert [line["to"] for line in lines] == ["cb"]
    assert lines[0]["meta"]["intent"] == "flow:review.reason"
    assert str(len(long_reason.strip())) in lines[0]["text"]
    lines = await say(app, "cb", "Trang 2 bị mờ, chụp lại ở chỗ sáng.")
    family = [line for line in lines if line["to"] == "fam"]
    assert "Lý do: Trang 2 bị mờ, chụp lại ở chỗ sáng." in texts(family)


async def test_papers_that_come_later_do_not_hold_back_the_review(app: App) -> None:
    """An abroad family sent every paper they could (contract, visa, certificate and receipts
    only come later):
    no notice, /hoso said nothing waits, the family was told nothing: the review waited for
    the visa. Now the officer is told and reviews what is there; the contract, when it
    comes, starts a new round."""
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit, household="khong")
    await make_officer(app, "cb", role="commune", unit_id=unit)
    await say(app, "fam", "hồ sơ")
    sent: list[dict[str, Any]] = []
    for n, key in enumerate(["request_form", "eligibility"]):
        await click(app, "fam", f"dossier:item:{key}")
        await send_file(app, "fam", jpeg(700 + n))
        sent = await say(app, "fam", "xong")
    notices = [line for line in sent if line["to"] == "cb"]
    assert len(notices) == 1 and "gửi sau" in notices[0]["text"], sent
    family = texts([line for line in sent if line["to"] == "fam"])
    assert "Cán bộ xã đang xem" in family and "gửi sau" in family
    async with app.db.session() as session:
        officer = await _officer(app, "cb")
        assert [w.case_id for w in await list_waiting_dossiers(session, officer)] == [case_id]
    await click(app, "cb", f"review:open:{case_id}")
    for key in ("request_form", "eligibility"):
        await click(app, "cb", f"review:ok:{case_id}:{key}")
    async with app.db.session() as session:
        officer = await _officer(app, "cb")
        assert await list_waiting_dossiers(session, officer) == []
    assert "Cán bộ xã đã xem" in texts(await say(app, "fam", "hồ sơ"))
    # The contract arrives: a new notice, and it waits for review again.
    await click(app, "fam", "dossier:item:contract")
    await send_file(app, "fam", jpeg(800))
    lines = await say(app, "fam", "xong")
    assert len([line for line in lines if line["to"] == "cb"]) == 1


async def test_a_mistaken_reject_is_taken_back_and_the_rest_stays_reachable(app: App) -> None:
    """User trial: the officer tapped «Mờ» on a good request form. The family was told to
    redo it at once, nothing could take it back, and after «Để sau» /hoso said no dossier
    waited although three items were still unreviewed. Now the next message offers to
    approve the item again (the family hears the request is withdrawn) and the dossier stays
    on the waiting list while items wait."""
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit)
    await make_officer(app, "cb", role="commune", unit_id=unit)
    await _complete(app)
    await click(app, "cb", f"review:open:{case_id}")
    lines = await click(app, "cb", f"review:no:{case_id}:request_form:mo")
    assert "cần gửi lại «Đơn đề nghị hỗ trợ»" in texts([x for x in lines if x["to"] == "fam"])
    latest = [x for x in lines if x["to"] == "cb"][-1]
    assert latest["meta"]["item"] == "contract"
    assert ["Nhầm, duyệt lại mục 1"] in latest["buttons"]

    lines = await click(app, "cb", f"review:later:{case_id}")
    assert lines[-1]["buttons"] == [["HY-2026-00001 – Nguyễn Văn An"]], lines
    async with app.db.session() as session:
        officer = await _officer(app, "cb")
        assert [w.case_id for w in await list_waiting_dossiers(session, officer)] == [case_id]

    lines = await press(app, "cb", "HY-2026-00001 – Nguyễn Văn An")
    assert [x for x in lines if x["to"] == "cb"][-1]["meta"]["item"] == "contract"
    lines = await click(app, "cb", f"review:ok:{case_id}:request_form")
    family = texts([x for x in lines if x["to"] == "fam"])
    assert "cán bộ đã xem lại và duyệt «Đơn đề nghị hỗ trợ»" in family
    assert "không cần gửi lại" in family
    async with app.db.session() as session:
        item = await session.scalar(select(DossierItem).where(
            DossierItem.case_id == case_id, DossierItem.item_key == "request_form"))
        assert item is not None and item.status == "approved"
    # The family's checklist shows it approved, not "cần chụp lại".
    assert "cần chụp lại" not in texts(await say(app, "fam", "hồ sơ"))


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.TELEGRAM])
async def test_a_pdf_counts_its_pages_where_the_officer_reviews(
    app: App, channel: Channel
) -> None:
    """A family sent a 3-page PDF of the contract (and a photo of one more page): the officer
    saw «1 tệp» / «1 trang» per file. The files and the pages in them are both counted."""
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit, channel=channel)
    await make_officer(app, "cb", role="commune", unit_id=unit)
    await say(app, "fam", "hồ sơ", channel=channel)
    await click(app, "fam", "dossier:item:contract", channel=channel)
    await send_file(app, "fam", pdf(3, "hop dong"), kind=InboundKind.DOCUMENT,
                    file_name="hopdong.pdf", channel=channel)
    await send_file(app, "fam", jpeg(901), channel=channel)
    lines = await say(app, "fam", "xong", channel=channel)
    assert "Đã lưu «Hợp đồng đi làm việc ở nước ngoài»: 4 trang." in texts(lines), texts(lines)
    lines = await click(app, "cb", f"review:open:{case_id}")
    assert "«Hợp đồng đi làm việc ở nước ngoài» – 2 tệp, 4 trang." in texts(lines), texts(lines)
    assert lines[-1]["meta"]["item"] == "contract" and len(lines[-1]["attachments"]) == 2


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_a_page_named_in_the_reason_is_replaced_in_one_tap(
    app: App, channel: Channel
) -> None:
    """"trang 2 mờ quá, chụp lại trang 2": the family's new photo became page 3, the blurry
    page 2 stayed, and replacing it took «Xem đã gửi», the page's button, the photo (found by
    an officer's trial). The page named is now offered first: «Thay trang 2»."""
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit, channel=channel)
    await make_officer(app, "cb", role="commune", unit_id=unit)
    await say(app, "fam", "hồ sơ", channel=channel)
    for n, key in enumerate(ITEMS):
        await click(app, "fam", f"dossier:item:{key}", channel=channel)
        await send_file(app, "fam", jpeg(900 + n), channel=channel)
        if key == "request_form":  # two pages
            await send_file(app, "fam", jpeg(950), channel=channel)
        await say(app, "fam", "xong", channel=channel)
    await click(app, "cb", f"review:open:{case_id}")
    await click(app, "cb", f"review:other:{case_id}:request_form")
    lines = await say(app, "cb", "trang 2 mờ quá, chụp lại trang 2")
    assert "flow:review.rejected" in intents(lines)
    lines = await click(app, "fam", f"dossier:redo:{case_id}:request_form", channel=channel)
    assert "chọn «Thay trang 2»" in lines[-1]["text"]
    lines = await press(app, "fam", "Thay trang 2", channel=channel)
    assert intents(lines) == ["flow:dossier.replace"]
    lines = await send_file(app, "fam", jpeg(960), channel=channel)
    assert "Đã thay trang 2" in texts(lines)
    async with app.db.session() as session:
        pages = list(await session.scalars(
            select(DossierDocument.page).where(DossierDocument.case_id == case_id,
                                               DossierDocument.item_key == "request_form")))
    assert sorted(pages) == [1, 2]
    # The officers are told what came again, not "all papers sent" once more.
    lines = await say(app, "fam", "xong", channel=channel)
    [notice] = [line for line in lines if line["to"] == "cb"]
    assert "gia đình đã gửi lại Đơn đề nghị hỗ trợ, chờ duyệt" in notice["text"]


def test_the_page_a_reason_names() -> None:
    assert named_page("trang 2 mờ quá, chụp lại trang 2") == 2
    assert named_page("Trang số 3 bị mất góc") == 3
    assert named_page("trang 1 và trang 3 mờ") is None  # two pages: the family chooses
    assert named_page("thiếu trang") is None


async def test_the_case_card_shows_the_dossier_and_opens_its_review(app: App) -> None:
    """The card said nothing of the support dossier: its review was reached from /hoso or a
    notice only (an officer's trial)."""
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit)
    await make_officer(app, "cb", role="commune", unit_id=unit)
    lines = await click(app, "cb", f"cases:open:{case_id}")
    assert "Hồ sơ hỗ trợ: đã có 0/" in texts(lines) and ["Duyệt giấy tờ"] not in lines[0][
        "buttons"]
    await _complete(app)
    lines = await click(app, "cb", f"cases:open:{case_id}")
    assert "mục chờ duyệt" in texts(lines) and lines[0]["buttons"][0] == ["Duyệt giấy tờ"]
    lines = await press(app, "cb", "Duyệt giấy tờ")
    assert intents(lines)[0] == "flow:review.open"
