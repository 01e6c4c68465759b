"""Finding 4: files are checked before they are trusted. Bombs and disguised files (generated
by tests/file_corpus.py) are refused with their reason before any pixel is decoded, and the
family's earlier pages stay as they were; images are stored re-encoded (no appended data, no
metadata); the export stays bounded whatever the store holds."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps
from pypdf import PdfReader
from sqlalchemy import select

from bot.app import App
from handlers.dossier import export as dossier_export
from handlers.dossier.export import export_dossier, find_case
from handlers.dossier.validate import MAX_PDF_PAGES, check_file
from handlers.types import InboundKind
from messages import t
from storage.dossier_repo import add_document
from storage.models import DossierDocument, utcnow
from tests.dossier_support import click, jpeg, make_case, pdf, png
from tests.file_corpus import (
    html_as_pdf,
    jpeg_with_gps,
    jpeg_with_zip,
    pdf_pages,
    png_bomb,
    truncated,
)
from tests.helpers import intents, say, send_file, texts

CORPUS: list[tuple[str, Callable[[], bytes], str, str, str]] = [
    # (what, file, its name, reason, words of the Vietnamese refusal)
    ("13,000 × 13,000 PNG", lambda: png_bomb(13_000, 13_000), "anh.png", "too_many_pixels",
     "hơn 40 triệu điểm ảnh"),
    ("50 MP PNG", lambda: png_bomb(7_500, 6_700), "anh.png", "too_many_pixels", "quá lớn"),
    ("600 × 60,000 strip", lambda: png_bomb(600, 60_000), "anh.png", "odd_shape",
     "600×60000"),
    ("HTML named .pdf", html_as_pdf, "hoso.pdf", "not_as_named",
     "tên là tệp PDF nhưng bên trong không phải PDF"),
    ("HTML without a name", html_as_pdf, "", "wrong_type", "chỉ nhận ảnh"),
    ("10,000-page PDF", lambda: pdf_pages(10_000), "hoso.pdf", "pdf_too_long",
     "có 10000 trang, bot chỉ nhận tệp tối đa 30 trang"),
    ("PDF whose page count lies", lambda: pdf_pages(45, declared=2), "x.pdf", "pdf_too_long",
     "45 trang"),
    ("truncated PDF", lambda: truncated(pdf(3)), "x.pdf", "pdf_broken", "bị hỏng"),
    ("truncated PNG", lambda: truncated(png((900, 900))), "", "unreadable_image", "bị hỏng"),
    ("truncated JPEG", lambda: truncated(jpeg(3), 0.3), "", "unreadable_image", "bị hỏng"),
    ("PNG header only", lambda: png_bomb(900, 900)[:33], "", "unreadable_image", "bị hỏng"),
]


async def _pages(app: App) -> list[tuple[int, str]]:
    async with app.db.session() as session:
        docs = await session.scalars(select(DossierDocument).order_by(DossierDocument.page))
        return [(d.page, d.sha256) for d in docs]


@pytest.mark.parametrize(("what", "build", "name", "reason", "words"), CORPUS,
                         ids=[c[0] for c in CORPUS])
async def test_each_bad_file_is_refused_with_its_reason_and_earlier_pages_stay(
    sqlite_app: App, what: str, build: Callable[[], bytes], name: str, reason: str, words: str
) -> None:
    app = sqlite_app
    await make_case(app, "fam")
    await say(app, "fam", "hồ sơ")
    await click(app, "fam", "dossier:item:contract")
    await send_file(app, "fam", jpeg(1))
    before = await _pages(app)
    assert len(before) == 1
    data = build()
    assert len(data) < 2_000_000  # the corpus is cheap: bombs are small on disk
    lines = await send_file(app, "fam", data, kind=InboundKind.DOCUMENT, file_name=name)
    assert intents(lines) == ["flow:dossier.refused"], what
    assert lines[0]["meta"]["reason"] == reason, what
    assert words in texts(lines), texts(lines)
    assert await _pages(app) == before
    assert [p.name for p in app.files.root.rglob("*") if p.is_file()] == [before[0][1]]


async def test_a_jpeg_with_a_zip_appended_is_stored_without_it(sqlite_app: App) -> None:
    app = sqlite_app
    await make_case(app, "fam")
    await say(app, "fam", "hồ sơ")
    await click(app, "fam", "dossier:item:contract")
    data = jpeg_with_zip()
    assert b"PK\x03\x04" in data
    lines = await send_file(app, "fam", data, kind=InboundKind.DOCUMENT, file_name="a.jpg")
    assert intents(lines) == ["flow:dossier.received"]
    [(_, sha)] = await _pages(app)
    stored = await app.files.get(sha)
    assert b"PK\x03\x04" not in stored and b"SMUGGLED" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert img.format == "JPEG" and img.size == (900, 1200)
        img.load()


def test_metadata_is_dropped_and_the_photo_stored_upright() -> None:
    original = jpeg_with_gps(orientation=6)
    assert b"PhoneMaker" in original and b"HOME-ADDRESS-SECRET" in original
    verdict = check_file(original)
    assert verdict.ok and verdict.mime_type == "image/jpeg"
    assert b"PhoneMaker" not in verdict.data and b"HOME-ADDRESS-SECRET" not in verdict.data
    with Image.open(io.BytesIO(verdict.data)) as stored, Image.open(io.BytesIO(original)) as src:
        assert dict(stored.getexif()) == {}  # no GPS, no orientation left to apply twice
        assert stored.size == (1200, 900) == (verdict.width, verdict.height)
        upright = ImageOps.exif_transpose(src)
        for point in ((1150, 50), (50, 50), (600, 800)):
            got, want = stored.getpixel(point), upright.getpixel(point)
            assert isinstance(got, tuple) and isinstance(want, tuple)
            assert max(abs(a - b) for a, b in zip(got, want, strict=True)) < 40, point
    # An upright photo is re-encoded with its own quantisation: the same picture.
    plain = jpeg_with_gps(orientation=1)
    clean = check_file(plain)
    assert clean.ok and b"PhoneMaker" not in clean.data and b"Exif" not in clean.data
    assert check_file(plain).data == clean.data  # deterministic: a resend is a duplicate


def test_the_largest_accepted_image_is_accepted() -> None:
    # 40 MP exactly, an ordinary phone photo's shape (8,000 × 5,000 is 1:1.6).
    verdict = check_file(png_bomb(8_000, 5_000))
    assert verdict.ok and (verdict.width, verdict.height) == (8_000, 5_000)
    # 1:8 is still a (long) page; 1:8.1 is not.
    assert check_file(png_bomb(700, 5_600)).ok
    assert check_file(png_bomb(700, 5_670)).reason == "odd_shape"


async def test_the_export_stays_bounded_whatever_the_store_holds(
    sqlite_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files stored before they were checked (or by hand): a bomb, a 1,000-page PDF, a
    broken PDF. The export does not decode the bomb, takes 30 pages of the long PDF and says
    what it could not print."""
    app = sqlite_app
    case_id = await make_case(app, "fam")
    legacy = [
        ("image/png", png_bomb(13_000, 13_000)),
        ("application/pdf", pdf_pages(1_000)),
        ("application/pdf", b"%PDF-1.4 broken"),
        ("image/jpeg", jpeg(9)),
    ]
    async with app.db.session() as session, session.begin():
        for mime, data in legacy:
            sha = await app.files.put(data)
            await add_document(session, DossierDocument(
                case_id=case_id, item_key="contract", page=0,
                kind="document" if mime.endswith("pdf") else "photo", mime_type=mime,
                size=len(data), sha256=sha, page_count=1, created_at=utcnow()))
    async with app.db.session() as session:
        case = await find_case(session, "HY-2026-00001")
        assert case is not None
        data, pages = await export_dossier(session, app.files, case, utcnow(),
                                           app.settings.zone)
    # cover + a note for the bomb + 30 pages + a note for the broken PDF + the photo
    assert pages == 1 + 1 + MAX_PDF_PAGES + 1 + 1
    reader = PdfReader(io.BytesIO(data))
    assert "Không mở được tệp ảnh" in reader.pages[1].extract_text()
    assert "Không mở được tệp PDF" in reader.pages[2 + MAX_PDF_PAGES].extract_text()

    # A dossier past the export's page cap ends with a note of what was left out.
    monkeypatch.setattr(dossier_export, "MAX_EXPORT_PAGES", 20)
    async with app.db.session() as session:
        case = await find_case(session, "HY-2026-00001")
        assert case is not None
        data, pages = await export_dossier(session, app.files, case, utcnow(),
                                           app.settings.zone)
    assert pages == 20 + 1
    assert "Còn 2 tệp nữa không in" in PdfReader(io.BytesIO(data)).pages[-1].extract_text()


_GOOD_PDF = pdf(3, "hop dong")


def _refusal(data: bytes) -> str:
    """What the family is told about ``data`` sent as a PDF ("" when it is taken), as
    held.refuse_file words it; the pages counted must be the file's."""
    verdict = check_file(data, "PDF")
    if verdict.ok:
        assert verdict.mime_type == "application/pdf" or verdict.kind == "photo"
        assert 1 <= verdict.pages <= MAX_PDF_PAGES
        return ""
    return t(f"dossier.refuse.{verdict.reason}", width=verdict.width, height=verdict.height,
             pages=verdict.pages, claimed=verdict.claimed)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    st.one_of(
        st.binary(max_size=4000),
        st.binary(max_size=4000).map(lambda b: b"%PDF-1.4\n" + b),
        # A real 3-page PDF cut short, or with bytes overwritten.
        st.integers(0, len(_GOOD_PDF)).map(lambda n: _GOOD_PDF[:n]),
        st.lists(st.tuples(st.integers(0, len(_GOOD_PDF) - 1), st.integers(0, 255)),
                 min_size=1, max_size=20).map(
            lambda edits: bytes(_mutate(_GOOD_PDF, edits))),
    )
)
def test_garbage_sent_as_a_pdf_gets_a_clear_vietnamese_refusal(data: bytes) -> None:
    """Whatever bytes arrive as a PDF, checking them never raises: either a file whose pages
    are counted, or a refusal in Vietnamese that says what to do."""
    said = _refusal(data)
    if said:
        assert "{" not in said and any(ch in said for ch in "ảàạăâđêôơư"), said


def _mutate(data: bytes, edits: list[tuple[int, int]]) -> bytearray:
    out = bytearray(data)
    for at, value in edits:
        out[at] = value
    return out


def test_a_pdfs_pages_are_counted() -> None:
    assert check_file(_GOOD_PDF, "PDF").pages == 3
