"""A bar chart PNG of plan progress per unit (Pillow only: no plotting library to install)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

#: A font with Vietnamese glyphs when the system has one; Pillow's own font otherwise.
_FONTS = (
    Path(__file__).resolve().parent.parent / "storage" / "fonts" / "DejaVuSans.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)
_WIDTH, _ROW, _LABEL, _MARGIN = 720, 34, 190, 16


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def render_progress_chart(title: str, bars: list[tuple[str, int, int]]) -> bytes:
    """One horizontal bar per (label, submitted, target): the share of the target, capped at
    100 %, green when met, orange when started, red when nothing was submitted."""
    height = _MARGIN * 3 + 24 + _ROW * max(len(bars), 1)
    image = Image.new("RGB", (_WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    font, bold = _font(15), _font(18)
    draw.text((_MARGIN, _MARGIN), title, fill="black", font=bold)
    top = _MARGIN * 2 + 24
    span = _WIDTH - _LABEL - _MARGIN * 2 - 60
    for n, (label, submitted, target) in enumerate(bars):
        y = top + n * _ROW
        share = 1.0 if target <= 0 else min(submitted / target, 1.0)
        colour = "#2e7d32" if share >= 1.0 else "#ef6c00" if submitted > 0 else "#c62828"
        draw.text((_MARGIN, y + 6), label, fill="black", font=font)
        x0 = _MARGIN + _LABEL
        draw.rectangle((x0, y + 4, x0 + span, y + _ROW - 6), outline="#bbbbbb")
        if share > 0:
            draw.rectangle((x0, y + 4, x0 + int(span * share), y + _ROW - 6), fill=colour)
        draw.text((x0 + span + 8, y + 6), f"{round(share * 100)}%", fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def render_count_chart(title: str, bars: list[tuple[str, int]]) -> bytes:
    """One horizontal bar per (label, count), scaled to the largest count (survey answers)."""
    height = _MARGIN * 3 + 24 + _ROW * max(len(bars), 1)
    image = Image.new("RGB", (_WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    font, bold = _font(15), _font(18)
    draw.text((_MARGIN, _MARGIN), title, fill="black", font=bold)
    top = _MARGIN * 2 + 24
    span = _WIDTH - _LABEL - _MARGIN * 2 - 60
    most = max((count for _, count in bars), default=0) or 1
    for n, (label, count) in enumerate(bars):
        y = top + n * _ROW
        draw.text((_MARGIN, y + 6), label[:24], fill="black", font=font)
        x0 = _MARGIN + _LABEL
        if count > 0:
            draw.rectangle((x0, y + 4, x0 + int(span * count / most), y + _ROW - 6), fill="#1565c0")
        draw.text((x0 + span + 8, y + 6), str(count), fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
