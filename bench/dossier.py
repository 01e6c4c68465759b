"""Dossier speed: file validation, a photo turn through the engine, and the PDF export.

    python -m bench.dossier [--photos 20]

Prints: validation time of a 12-megapixel phone photo and of a 20-page PDF; p50/p99 latency of
one photo turn (validate + store + database) in a burst; export time of the whole dossier.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import tempfile
import time
from pathlib import Path

from fpdf import FPDF
from PIL import Image

from bot.app import build_app
from bot.inbound import button_event, file_event, text_event
from bot.settings import load_settings
from handlers.dossier.export import export_dossier, find_case
from handlers.dossier.validate import check_file
from handlers.types import Channel, FileRef, InboundKind
from storage.models import Case, utcnow
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


if __name__ == "__main__":
    main()
