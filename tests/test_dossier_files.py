"""What the dossier accepts, refuses, and how bursts, duplicates and page removal behave."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image
from sqlalchemy import select

from bot.app import App
from handlers.dossier.validate import MAX_BYTES, check_file
from handlers.types import InboundKind
from storage.models import DossierDocument
from tests.dossier_support import click, empty_pdf, jpeg, make_case, pdf, png
from tests.helpers import Clock, intents, say, send_file, texts


async def _pages(app: App, item: str) -> list[tuple[int, str]]:
    async with app.db.session() as session:
        docs = await session.scalars(
            select(DossierDocument)
            .where(DossierDocument.item_key == item)
            .order_by(DossierDocument.page)
        )
        return [(d.page, d.sha256) for d in docs]


async def _at_item(app: App, item: str = "contract") -> None:
    await make_case(app, "fam")
    await say(app, "fam", "hồ sơ")
    await click(app, "fam", f"dossier:item:{item}")


def _webp(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(out, "WEBP")
    return out.getvalue()


def test_content_decides_not_the_name() -> None:
    assert check_file(jpeg(1)).mime_type == "image/jpeg"
    assert check_file(png((800, 700))).kind == "photo"
    # WebP (and HEIC) are stored re-encoded as JPEG, which every phone and printer shows.
    assert check_file(_webp((700, 900))).mime_type == "image/jpeg"
    assert check_file(pdf(3)).pages == 3
    # A text file called .jpg, a GIF: refused whatever they are named.
    assert check_file(b"hello, this is not a photo").reason == "wrong_type"
    gif = io.BytesIO()
    Image.new("RGB", (800, 800)).save(gif, "GIF")
    assert check_file(gif.getvalue()).reason == "wrong_type"


def test_heic_is_accepted() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    try:
        Image.new("RGB", (800, 1000), (9, 9, 9)).save(out, "HEIF")
    except (KeyError, OSError, ValueError):
        pytest.skip("this libheif cannot encode HEIC")
    verdict = check_file(out.getvalue())
    assert verdict.ok and verdict.mime_type == "image/jpeg" and verdict.kind == "photo"
    assert verdict.data[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize(
    ("data", "reason", "advice"),
    [
        (b"", "empty", "chụp lại"),
        (b"\xff\xd8\xff" + b"\0" * MAX_BYTES, "too_big", "20 MB"),
        (b"PK\x03\x04 a zip file", "wrong_type", "JPG, PNG, WebP, HEIC"),
        (b"\xff\xd8\xff\xe0 not really a jpeg", "unreadable_image", "chụp lại"),
        (jpeg(5)[:4000], "unreadable_image", "chụp lại"),
        (png((500, 900)), "too_small", "chụp gần hơn, đủ sáng"),
        (b"%PDF-1.4\n this is not a pdf at all", "pdf_broken", "chụp ảnh từng trang"),
        (None, "pdf_empty", "không có trang nào"),
    ],
)
async def test_each_refusal_says_why_and_what_to_do(
    sqlite_app: App, data: bytes | None, reason: str, advice: str
) -> None:
    payload = empty_pdf() if data is None else data
    assert check_file(payload).reason == reason
    await _at_item(sqlite_app)
    lines = await send_file(sqlite_app, "fam", payload, kind=InboundKind.DOCUMENT)
    assert intents(lines) == ["flow:dossier.refused"]
    assert lines[0]["meta"]["reason"] == reason
    assert advice in texts(lines)
    assert await _pages(sqlite_app, "contract") == []


async def test_same_file_twice_is_recognised(sqlite_app: App) -> None:
    await _at_item(sqlite_app)
    photo = jpeg(7)
    await send_file(sqlite_app, "fam", photo)
    lines = await send_file(sqlite_app, "fam", photo)
    assert intents(lines) == ["flow:dossier.duplicate"]
    assert "đã gửi rồi (trang 1" in texts(lines)
    assert len(await _pages(sqlite_app, "contract")) == 1


async def test_a_burst_is_kept_in_order_and_acknowledged_once(
    sqlite_app: App, clock: Clock
) -> None:
    await _at_item(sqlite_app)
    photos = [jpeg(100 + n) for n in range(5)]
    replies = []
    for photo in photos:
        replies.append(await send_file(sqlite_app, "fam", photo))
        clock.advance(seconds=2)
    assert [len(r) for r in replies] == [1, 0, 0, 0, 0]
    assert "bot sẽ không trả lời từng ảnh" in texts(replies[0])
    stored = await _pages(sqlite_app, "contract")
    assert [p for p, _ in stored] == [1, 2, 3, 4, 5]
    assert [sha for _, sha in stored] == [
        hashlib.sha256(check_file(p).data).hexdigest() for p in photos
    ]
    # A broken photo inside the burst is still answered: it is not silently lost.
    lines = await send_file(sqlite_app, "fam", png((300, 300)))
    assert intents(lines) == ["flow:dossier.refused"]
    # Later photos (after a pause) get a short acknowledgement, without the long explanation.
    clock.advance(minutes=5)
    lines = await send_file(sqlite_app, "fam", jpeg(200))
    assert "trang 6" in texts(lines) and "từng ảnh" not in texts(lines)
    # Typed "xong" works although the silent photos offered no buttons.
    lines = await say(sqlite_app, "fam", "Xong rồi")
    assert "Đã lưu «Hợp đồng đi làm việc ở nước ngoài»: 6 trang." in texts(lines)


async def test_see_remove_a_page_and_resume(sqlite_app: App, clock: Clock) -> None:
    await _at_item(sqlite_app)
    for n in range(3):
        await send_file(sqlite_app, "fam", jpeg(300 + n))
    before = await _pages(sqlite_app, "contract")
    lines = await say(sqlite_app, "fam", "Xem đã gửi")
    assert intents(lines) == ["flow:dossier.pages"]
    assert [a["sha256"] for a in lines[0]["attachments"]] == [sha for _, sha in before]
    assert [row[-1] for row in lines[0]["buttons"][:3]] == ["Xóa trang 1", "Xóa trang 2",
                                                            "Xóa trang 3"]
    lines = await say(sqlite_app, "fam", "Xóa trang 2")
    assert "Đã xóa trang 2" in texts(lines) and "Còn 2 trang" in texts(lines)
    assert await _pages(sqlite_app, "contract") == [(1, before[0][1]), (2, before[2][1])]
    # Leave for the FAQ, come back days later: the pages are still there.
    await say(sqlite_app, "fam", "menu")
    clock.advance(days=2)
    lines = await say(sqlite_app, "fam", "hồ sơ")
    assert "Hợp đồng đi làm việc ở nước ngoài: đã gửi – 2 trang" in texts(lines)


async def test_a_file_outside_any_item_is_not_lost_silently(sqlite_app: App) -> None:
    await make_case(sqlite_app, "fam")
    await say(sqlite_app, "fam", "hồ sơ")
    lines = await send_file(sqlite_app, "fam", jpeg(1))
    assert "giữ ảnh này" in texts(lines) and "giấy tờ nào" in texts(lines)
