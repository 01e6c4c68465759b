"""The colleagues' flows on Zalo, end to end through the fake server: a full registration answered
by number and by label without diacritics, and a dossier page sent as a photo."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.dossier.validate import check_file
from handlers.textnorm import fold
from handlers.types import Channel
from messages import t
from storage.models import Case, DossierDocument
from tests.dossier_support import jpeg, make_case
from tests.fake_zalo import FakeZalo, image_update, running_fake_zalo, text_update
from tests.zalo_harness import ZaloHarness, zalo_harness

USER = "7f1e2d3c4b5a69788796"
_OPTION = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo() as server:
        yield server


@pytest.fixture
async def zalo(app: App, fake: FakeZalo) -> AsyncIterator[ZaloHarness]:
    async with zalo_harness(app, fake) as harness:
        yield harness


def options(text: str) -> list[str]:
    """The numbered options at the end of a Zalo message (there are no buttons)."""
    return [label for _, label in _OPTION.findall(text)]


#: Question (its prompt) → the option label to pick, or the text to type.
PICK = {
    "intake.consent": t("intake.consent_yes"),
    "intake.ask.who": t("intake.option.who.self"),
    "intake.ask.kind": t("intake.option.kind.abroad"),
    "intake.ask.gender": t("intake.option.gender.female"),
    "intake.ask.ethnicity": t("intake.option.ethnicity.kinh"),
    "intake.ask.citizen_id": t("intake.button.skip"),
}
TYPE = {
    "intake.ask.full_name": "Nguyễn Thị Mai",
    "intake.ask.dob": "12/3/1999",
    "intake.ask.phone": "0912 345 678",
    "intake.ask.commune": "phu luu",
    "intake.ask.village": "thon Cau Cao",
}


def answer(text: str, turn: int) -> tuple[str, str]:
    """What a person would type: the chosen option by its number on even turns and by its label
    without diacritics on odd ones; a typed value for free-text questions. Returns (how, text)."""
    labels = options(text)
    for key, value in TYPE.items():
        if t(key) in text and not (labels and key == "intake.ask.commune"):
            return "typed", value
    wanted = next((label for key, label in PICK.items() if t(key).split("\n")[0] in text), None)
    if wanted is None:
        # Summary, commune matches, household, market: the first real option, or "Xác nhận".
        confirm = t("intake.button.confirm")
        wanted = confirm if confirm in labels else labels[0]
    if turn % 2 == 0:
        return "number", str(labels.index(wanted) + 1)
    return "label", fold(wanted)


async def test_full_registration_on_zalo_by_number_and_by_label(
    zalo: ZaloHarness, app: App
) -> None:
    [menu] = await zalo.send(text_update("/start", user=USER))
    assert t("menu.button.register") in options(menu)
    texts = await zalo.send(text_update(fold(t("menu.button.register")), user=USER))
    ways: set[str] = set()
    for turn in range(30):
        async with app.db.session() as session:
            case = await session.scalar(select(Case))
        if case is not None:
            break
        last = texts[-1]
        how, typed = answer(last, turn)
        ways.add(how)
        texts = await zalo.send(text_update(typed, user=USER))
    else:
        pytest.fail(f"registration did not finish; last message: {texts[-1]!r}")
    assert case.kind == "abroad" and case.full_name == "Nguyễn Thị Mai"
    assert any(text.startswith("Đã đăng ký xong! Mã hồ sơ: " + case.ref) for text in texts)
    assert ways == {"number", "label", "typed"}
    assert all(len(text) <= 2000 for text in zalo.fake.sent_texts())


async def test_a_dossier_page_sent_as_a_photo_is_stored(
    zalo: ZaloHarness, app: App, fake: FakeZalo
) -> None:
    await make_case(app, USER, channel=Channel.ZALO)
    checklist = await zalo.send(text_update("ho so", user=USER))
    assert "chỉ nhận ảnh" in "\n".join(checklist)
    item = await zalo.send(text_update("1", user=USER))
    assert "Zalo không gửi được tệp PDF" in "\n".join(item)
    page = jpeg(7)
    received = await zalo.send(image_update(fake.image_url("trang1.jpg", page), user=USER))
    assert "Đã nhận trang 1" in "\n".join(received)
    async with app.db.session() as session:
        document = await session.scalar(select(DossierDocument))
    assert document is not None
    assert app.files.exists(document.sha256)
    assert await app.files.get(document.sha256) == check_file(page).data  # re-encoded
