"""What outreach keeps about a person, for their privacy view ("xem dữ liệu của tôi")."""

from __future__ import annotations

from handlers.context import Context
from handlers.outreach.subscribe import topics_label
from handlers.outreach.survey_stored import answer_lines
from messages import t
from storage.models import Unit
from storage.outreach_repo import get_subscription
from storage.survey_repo import responses_of


async def outreach_lines(ctx: Context) -> list[str]:
    lines = []
    sub = await get_subscription(ctx.session, ctx.contact.id)
    if sub is not None and sub.stopped_at is not None:
        lines.append(t("outreach.privacy.stopped"))
    elif sub is not None and sub.topics:
        unit = await ctx.session.get(Unit, sub.unit_id) if sub.unit_id else None
        lines.append(
            t(
                "outreach.privacy.subscribed",
                topics=topics_label([str(x) for x in sub.topics]),
                unit=unit.name if unit else t("outreach.all_units"),
            )
        )
    for response in await responses_of(ctx.session, ctx.contact.id):
        lines.append(t("outreach.privacy.survey"))
        lines.extend(await answer_lines(ctx, response))
    return lines
