"""The training-needs survey in the weekly digest: the trades wanted in the latest round with
answers, as a bar chart (all communes together; the export has the commune × trade table)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.types import Attachment, Reply
from messages import t
from messages.survey import questionnaire
from scheduler.chart import render_count_chart
from storage.files import FileStore
from storage.models import SurveyResponse, SurveyRound
from storage.survey_repo import results

#: Trades shown in the chart, most wanted first.
TOP = 10


async def add_survey_chart(session: AsyncSession, files: FileStore, reply: Reply) -> bool:
    """Append the chart (and one line) to the digest ``reply``; False when no round has
    complete answers."""
    found = await session.scalar(
        select(SurveyRound)
        .join(SurveyResponse, SurveyResponse.round_id == SurveyRound.id)
        .where(SurveyResponse.status == "complete")
        .order_by(SurveyRound.id.desc())
        .limit(1)
    )
    if found is None:
        return False
    got = await results(session, found)
    per_trade: Counter[str] = Counter()
    for (_, trade), n in got.counts.items():
        per_trade[trade] += n
    form = questionnaire()
    bars = [(form.label("trades", trade), n) for trade, n in per_trade.most_common(TOP)]
    caption = t("survey.digest_caption", id=found.id, count=len(got.responses))
    sha = await files.put(render_count_chart(caption, bars))
    reply.text += "\n" + caption
    reply.attachments.append(
        Attachment(kind="photo", sha256=sha, file_name=f"khao-sat-{found.id}.png", caption=caption)
    )
    return True
