"""Dossier speed: file validation, a photo turn through the engine, and the PDF export.

    python -m bench.dossier [--photos 20]

Prints: validation time of a 12-megapixel phone photo and of a 20-page PDF; p50/p99 latency of
one photo turn (validate + store + database) in a burst; export time of the whole dossier; time
and peak memory (resident, above what the process held before) of checking the worst accepted
image (40 MP JPEG, upright and rotated by EXIF) and of exporting a 30-page dossier (cover + 29
photos of 12 MP, and of 40 MP).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import io
import multiprocessing
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

from fpdf import FPDF
from PIL import Image

from bot.app import build_app
from bot.inbound import button_event, file_event, text_event
from bot.settings import load_settings
from handlers.dossier.export import export_dossier, find_case
from handlers.dossier.validate import check_file
from handlers.types import Channel, FileRef, InboundKind
from storage.dossier_repo import add_document
from storage.models import Case, DossierDocument, utcnow
from storage.repositories import get_or_create_contact


def phone_photo(seed: int, size: tuple[int, int] = (4000, 3000)) -> bytes:
    rng = random.Random(seed)
    img = Image.effect_noise(size, 40).convert("RGB")
    img.putpixel((rng.randrange(size[0]), rng.randrange(size[1])), (255, 0, 0))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def many_page_pdf(pages: int) -> bytes:
    doc = FPDF()
    doc.set_font("helvetica", size=12)
    for n in range(pages):
        doc.add_page()
        doc.multi_cell(0, 6, f"page {n + 1} " * 200)
    return bytes(doc.output())


T = TypeVar("T")


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> int:
    """The resident KB now, with the process's peak reset to it (Linux /proc/self/clear_refs),
    so each measurement is its own."""
    gc.collect()
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _kib("VmRSS")


def peak_mb_since(base: int) -> float:
    return max(0, _kib("VmHWM") - base) / 1024


def measured(fn: Callable[[], object]) -> tuple[float, float]:
    """Seconds and peak resident MB above the starting point."""
    base = reset_peak()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start, peak_mb_since(base)


def big_photo(size: tuple[int, int], orientation: int = 1) -> bytes:
    """A phone-like photo (smooth with noise: compresses like a real one, under 20 MB)."""
    small = Image.effect_noise((size[0] // 16, size[1] // 16), 60).convert("RGB")
    img = small.resize(size, Image.Resampling.BICUBIC)
    del small
    grain = Image.effect_noise((size[0] // 4, size[1] // 4), 30).resize(size)
    img = Image.merge("RGB", [Image.blend(band, grain, 0.15) for band in img.split()])
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


async def export_of(photo: bytes, pages: int) -> tuple[float, float, int]:
    """Time and peak memory of exporting a dossier of ``pages`` stored copies of ``photo``."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{tmp}/b.db", files_dir=Path(tmp) / "files"
        )
        async with build_app(settings) as app:
            verdict = check_file(photo)
            assert verdict.ok, verdict.reason
            sha = await app.files.put(verdict.data)
            async with app.db.session() as session, session.begin():
                contact = await get_or_create_contact(session, "console", "bench", "", utcnow())
                case = Case(ref="HY-2026-00001", contact_id=contact.id, kind="abroad")
                session.add(case)
                await session.flush()
                for _ in range(pages):
                    await add_document(session, DossierDocument(
                        case_id=case.id, item_key="contract", page=0, kind="photo",
                        mime_type=verdict.mime_type, size=len(verdict.data), sha256=sha,
                        page_count=1, created_at=utcnow()))
            result: list[int] = []

            async def run() -> None:
                async with app.db.session() as session:
                    found = await find_case(session, "HY-2026-00001")
                    assert found is not None
                    _, count = await export_dossier(
                        session, app.files, found, utcnow(), settings.zone)
                    result.append(count)

            base = reset_peak()
            start = time.perf_counter()
            await run()
            return time.perf_counter() - start, peak_mb_since(base), result[0]


def timed(fn: object, *args: object, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


async def engine_burst(photos: int) -> tuple[list[float], float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{tmp}/b.db", files_dir=Path(tmp) / "files"
        )
        async with build_app(settings) as app:
            async with app.db.session() as session, session.begin():
                contact = await get_or_create_contact(session, "console", "bench", "", utcnow())
                session.add(Case(ref="HY-2026-00001", contact_id=contact.id, kind="abroad"))
            await app.engine.handle(text_event(Channel.CONSOLE, "bench", "hồ sơ"))
            await app.engine.handle(
                button_event(Channel.CONSOLE, "bench", button_id="dossier:item:contract")
            )
            data = [phone_photo(n, (1280, 960)) for n in range(photos)]
            latencies = []
            for blob in data:
                start = time.perf_counter()
                await app.engine.handle(
                    file_event(Channel.CONSOLE, "bench", InboundKind.PHOTO, FileRef(blob))
                )
                latencies.append(time.perf_counter() - start)
            start = time.perf_counter()
            async with app.db.session() as session, session.begin():
                case = await find_case(session, "HY-2026-00001")
                assert case is not None
                _, pages = await export_dossier(session, app.files, case, utcnow(), settings.zone)
            return latencies, time.perf_counter() - start, pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=20)
    args = parser.parse_args()
    photo, pdf = phone_photo(1), many_page_pdf(20)
    ms = timed(check_file, photo) * 1000
    print(f"validate 12 MP JPEG ({len(photo) // 1024} KB): {ms:.1f} ms")
    print(f"validate 20-page PDF ({len(pdf) // 1024} KB): {timed(check_file, pdf) * 1000:.1f} ms")
    latencies, export_s, pages = asyncio.run(engine_burst(args.photos))
    q = statistics.quantiles(latencies, n=100)
    print(f"photo turn (1280x960) in a burst of {args.photos}: "
          f"p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms")
    print(f"export {pages} pages: {export_s * 1000:.0f} ms")
    # Each measurement in a fresh process: freed memory of the one before would hide the peak.
    with tempfile.TemporaryDirectory() as tmp:
        for orientation, label in ((1, "upright"), (6, "rotated by EXIF")):
            path = Path(tmp) / f"worst{orientation}.jpg"
            path.write_bytes(big_photo((8000, 5000), orientation))
            seconds, peak = in_child(child_check, path)
            print(f"check worst accepted image, 40 MP JPEG {label} "
                  f"({path.stat().st_size // 1024} KB): {seconds * 1000:.0f} ms, "
                  f"peak +{peak:.0f} MB")
        for size, label in (((4000, 3000), "12 MP"), ((8000, 5000), "40 MP")):
            path = Path(tmp) / f"page{label}.jpg"
            path.write_bytes(big_photo(size))
            seconds, peak, pages = in_child(child_export, path)
            print(f"export a {pages}-page dossier (cover + 29 photos of {label}): "
                  f"{seconds * 1000:.0f} ms, peak +{peak:.0f} MB")


def in_child(fn: Callable[[Path], T], path: Path) -> T:
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        return pool.submit(fn, path).result()


def child_check(path: Path) -> tuple[float, float]:
    data = path.read_bytes()
    check_file(data[:1])  # imports and plug-ins loaded before the measurement
    return measured(lambda: check_file(data))


def child_export(path: Path) -> tuple[float, float, int]:
    return asyncio.run(export_of(path.read_bytes(), 29))

if __name__ == "__main__":
    main()
