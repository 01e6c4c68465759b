"""Who an announcement reaches: subscriptions × communes × topics × stop × block × cases, and
which communes an officer may target."""

from __future__ import annotations

import pytest

from bot.app import App
from handlers.access import Role
from handlers.outreach.rules import RuleError, check_scope
from storage.models import Officer
from storage.outreach_repo import (
    InterestError,
    audience,
    parse_interest,
    topic_matches,
)
from tests.helpers import Clock
from tests.outreach_support import person, unit_id


async def test_audience_matrix(app: App, clock: Clock) -> None:
    now = clock.now()
    pl, yp = await unit_id(app, "Phù Lưu"), await unit_id(app, "Yên Phú")
    ids = {
        "pl_training": await person(app, "1", now, unit=pl, topics=["training"]),
        "pl_abroad": await person(app, "2", now, unit=pl, topics=["abroad"]),
        "pl_japan": await person(app, "3", now, unit=pl, topics=["abroad:japan"]),
        "pl_korea": await person(app, "4", now, unit=pl, topics=["abroad:korea", "scam"]),
        "yp_training": await person(app, "5", now, unit=yp, topics=["training"]),
        "pl_stopped": await person(app, "6", now, unit=pl, topics=["training"], stopped=True),
        "pl_blocked": await person(app, "7", now, unit=pl, topics=["training"], blocked=True),
        "pl_case_course": await person(app, "8", now, case=("course", pl)),
        "yp_case_abroad": await person(app, "9", now, case=("abroad", yp), market="korea"),
        "pl_case_closed": await person(
            app, "10", now, case=("course", pl), case_status="completed"
        ),
        "pl_case_stopped": await person(app, "11", now, case=("course", pl), stopped=True),
        "nowhere_training": await person(app, "12", now, topics=["training"]),
    }
    name_of = {v: k for k, v in ids.items()}

    async def names(units: list[int], interest: str) -> set[str]:
        async with app.db.session() as session:
            found = await audience(session, units, interest)
        return {name_of[c] for c in found.contact_ids}

    assert await names([pl], "training") == {"pl_training", "pl_case_course"}
    assert await names([yp], "training") == {"yp_training"}
    assert await names([pl, yp], "training") == {"pl_training", "pl_case_course", "yp_training"}
    assert await names([], "training") == {
        "pl_training",
        "pl_case_course",
        "yp_training",
        "nowhere_training",
    }
    assert await names([pl], "abroad") == {"pl_abroad", "pl_japan", "pl_korea"}
    assert await names([pl], "abroad:japan") == {"pl_abroad", "pl_japan"}
    assert await names([yp], "abroad:korea") == {"yp_case_abroad"}
    assert await names([yp], "abroad:japan") == set()
    assert await names([pl], "scam") == {"pl_korea"}
    assert await names([yp], "scam") == set()


def test_topics_and_interests() -> None:
    assert topic_matches("abroad", "abroad:japan")
    assert topic_matches("abroad:japan", "abroad")
    assert not topic_matches("abroad:korea", "abroad:japan")
    assert not topic_matches("training", "scam")
    assert parse_interest(" Abroad:Japan ") == "abroad:japan"
    for bad in ("", "abroad:", "training:x", "jobs", "scam:1"):
        with pytest.raises(InterestError):
            parse_interest(bad)


@pytest.mark.parametrize(
    ("role", "own", "targets", "allowed"),
    [
        (Role.COMMUNE, 3, [3], True),
        (Role.COMMUNE, 3, [3, 4], False),
        (Role.COMMUNE, 3, [], False),  # "every commune" is the office's
        (Role.COMMUNE, 3, [4], False),
        (Role.OFFICE, None, [], True),
        (Role.OFFICE, None, [3, 4], True),
        (Role.TRAINING, None, [4], True),
    ],
)
def test_officer_scope(role: Role, own: int | None, targets: list[int], allowed: bool) -> None:
    officer = Officer(role=role.value, unit_id=own, active=True)
    if allowed:
        check_scope(officer, targets)
    else:
        with pytest.raises(RuleError):
            check_scope(officer, targets)
