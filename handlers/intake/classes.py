"""The class question's own words: "lớp ở Bạch Xa" shows that commune's classes."""

from __future__ import annotations

from handlers.context import Context
from handlers.intake.drafts import drop, touch
from handlers.intake.navigation import show_step
from handlers.intake.questions import current_units, open_courses
from handlers.textnorm import fold
from messages import t
from storage.models import IntakeDraft


async def filter_classes(ctx: Context, draft: IntakeDraft, text: str) -> bool:
    """ "lớp ở Bạch Xa", "o bach xa", "Bạch Xa" at the class question: that commune's
    classes (True when the text named a commune)."""
    padded = f" {' '.join(fold(text).replace(',', ' ').split())} "
    for unit in await current_units(ctx):
        if padded.strip() in (unit.name_key, f"xa {unit.name_key}") or (
            f" o {unit.name_key} " in padded or f" o xa {unit.name_key} " in padded
        ):
            courses = [c for c in await open_courses(ctx) if c.unit_id == unit.id]
            if not courses:
                drop(draft, "class_unit", "class_unit_name")
                touch(draft, ctx.now, class_page=0)
                await show_step(ctx, draft, note=t("intake.classes.filtered_none",
                                                   unit=unit.name))
                return True
            touch(draft, ctx.now, class_unit=unit.id, class_unit_name=unit.name,
                  class_page=0)
            await show_step(ctx, draft)
            return True
    return False

