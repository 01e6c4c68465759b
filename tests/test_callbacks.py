"""Typed button ids (handlers/callbacks.py): pack, parse, refuse; every id the bot makes fits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bot.app  # noqa: F401  (imports every flow, so every button class is declared)
from handlers.callbacks import (
    MAX_BYTES,
    MAX_NUMBER,
    BadCallback,
    CallbackData,
    CallbackTooLong,
    declared_prefixes,
    parse,
)
from handlers.case_lists import Filter
from handlers.casework import CaseList, SetStatus
from handlers.dossier.review import Approve, Reject
from handlers.dossier.states import PresetReason
from handlers.faq import Details, Topic
from handlers.intake.buttons import Cancel, Choose, Edit
from handlers.intake.questions import CHOICES
from handlers.intake.steps import Step
from handlers.outreach.compose_steps import INTERESTS
from handlers.outreach.survey_answers import Option
from messages.actions import load_actions
from messages.faq_loader import topic_button
from messages.survey import questionnaire
from storage.cases_repo import CaseStatus
from tests.fuzz_support import hostile_text

ROOT = Path(__file__).resolve().parent.parent


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True)
class Sample(CallbackData, prefix="sample:pick"):
    number: int
    name: str
    colour: Colour
    flag: bool
    size: Literal["s", "m"]
    page: int | None = None
    moving: int | None = None


@dataclass(frozen=True)
class Bare(CallbackData, prefix="sample"):
    colour: Colour


def test_pack_and_parse_round_trip() -> None:
    data = Sample(7, "passport", Colour.BLUE, True, "m")
    assert data.pack() == "sample:pick:7:passport:blue:1:m"
    assert parse(data.pack()) == data
    assert Sample.unpack(data.pack()) == data
    paged = Sample(7, "x", Colour.RED, False, "s", page=3)
    assert paged.pack() == "sample:pick:7:x:red:0:s:3"
    assert parse(paged.pack()) == paged
    # An optional field left empty before a later one that is set comes back as None: a
    # later page of the class list moving a registration ("faq:classes:5::12") failed here.
    moving = Sample(7, "x", Colour.RED, False, "s", moving=12)
    assert moving.pack() == "sample:pick:7:x:red:0:s::12"
    assert parse(moving.pack()) == moving
    assert data.flow == "sample"
    assert parse("sample:red") == Bare(Colour.RED)  # the one-part prefix when no two-part fits


@pytest.mark.parametrize(
    "forged",
    [
        "", ":", "sample:pick", "nothing:here", "sample:pick:7:passport:blue:1",  # too few
        "sample:pick:7:passport:blue:1:m:3:4:5",  # too many
        "sample:pick:²:passport:blue:1:m", "sample:pick:٣:passport:blue:1:m",  # not ASCII digits
        "sample:pick:" + "9" * 60 + ":x:red:1:s", "sample:pick:-1:x:red:1:s",
        "sample:pick:7::blue:1:m",  # empty value
        "sample:pick:7:passport:green:1:m", "sample:pick:7:passport:blue:2:m",  # unknown values
        "sample:pick:7:passport:blue:1:xl", "sample:purple", "SAMPLE:pick:7:p:blue:1:m",
        "sample:pick:7:\ud800:blue:1:m",  # a lone surrogate (JSON "\ud800"): no text at all
    ],
)
def test_forged_ids_raise_bad_callback_only(forged: str) -> None:
    with pytest.raises(BadCallback):
        parse(forged)


def test_unpack_refuses_another_prefix() -> None:
    with pytest.raises(BadCallback):
        Sample.unpack("sample:red")


def test_pack_refuses_values_that_would_not_come_back() -> None:
    with pytest.raises(ValueError, match="holds"):
        Sample(1, "a:b", Colour.RED, True, "s").pack()
    with pytest.raises(ValueError, match="empty"):
        Sample(1, "", Colour.RED, True, "s").pack()
    with pytest.raises(ValueError, match="number"):
        Sample(-1, "a", Colour.RED, True, "s").pack()


def test_pack_checks_telegrams_64_bytes() -> None:
    fits = Sample(1, "x" * 40, Colour.RED, True, "s")
    assert len(fits.pack().encode()) <= MAX_BYTES
    with pytest.raises(CallbackTooLong):
        Sample(1, "x" * 60, Colour.RED, True, "s").pack()
    with pytest.raises(CallbackTooLong):
        Sample(1, "ả" * 22, Colour.RED, True, "s").pack()  # 44 bytes of 22 characters


def test_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="twice"):

        @dataclass(frozen=True)
        class Again(CallbackData, prefix="sample:pick"):
            pass

    with pytest.raises(ValueError, match="ASCII names"):

        @dataclass(frozen=True)
        class Deep(CallbackData, prefix="a:b:c"):
            pass

    @dataclass(frozen=True)
    class Floaty(CallbackData, prefix="sample:float"):
        value: float

    with pytest.raises(TypeError, match="unsupported"):
        Floaty(1.0).pack()


@given(st.one_of(st.text(max_size=120), hostile_text(),
                 st.sampled_from(sorted(declared_prefixes())).flatmap(
                     lambda p: st.lists(hostile_text(), max_size=5).map(
                         lambda parts: ":".join([p, *parts])))))
def test_any_string_parses_or_raises_bad_callback(value: str) -> None:
    try:
        data = parse(value)
    except BadCallback:
        return
    assert isinstance(data, CallbackData)
    assert parse(data.pack()) == data


# -- every id the bot makes fits and comes back ---------------------------------------------
def test_every_button_the_flows_make_fits_and_parses() -> None:
    from tests.helpers import shipped_matcher

    made: list[CallbackData] = []
    for entry in shipped_matcher().kb.entries.values():
        made += [Topic(entry.id), Details(entry.id)]
    for step, values in CHOICES.items():
        made += [Choose(step, v) for v in values]
    made += [Choose(Step.CITIZEN_ID, "skip"), Choose(Step.COURSE, str(MAX_NUMBER))]
    made += [Edit(step) for step in Step] + [Cancel("yes"), Cancel()]
    for question in questionnaire().questions:
        made += [Option(value) for value in question.options]
    made += list(INTERESTS)
    made += [CaseList(f, 999) for f in Filter] + [SetStatus(MAX_NUMBER, s) for s in CaseStatus]
    made += [Reject(MAX_NUMBER, "passport_visa", r) for r in PresetReason]
    made.append(Approve(MAX_NUMBER, "training_cert"))
    for data in made:
        packed = data.pack()
        assert len(packed.encode()) <= MAX_BYTES, packed
        assert parse(packed) == data


@pytest.mark.parametrize("key", ["a:b", "", "x" * 33, "giấy"])
def test_checklist_keys_that_could_not_travel_in_a_button_are_refused(key: str) -> None:
    from handlers.dossier.checklist import parse_checklist

    item = {"key": key, "title": "T", "description": "D", "good_photo": "G", "pages": "1"}
    with pytest.raises(ValueError, match="bad item key"):
        parse_checklist({"item": [item]})


def test_button_ids_written_as_data_name_declared_buttons() -> None:
    """Offers (messages/actions.toml), FAQ follow-ups and the topic ids the loader writes."""
    from tests.helpers import shipped_matcher

    ids = [a.offer for a in load_actions().actions if a.offer]
    for entry in shipped_matcher().kb.entries.values():
        ids += [f.target if not f.is_topic else topic_button(f.target) for f in entry.follow_up]
    assert len(ids) > 5
    for button_id in ids:
        parse(button_id)


def test_every_declared_button_names_a_registered_flow() -> None:
    """A typo in a prefix ("dosier:done") would make a button that no flow answers."""
    from bot.app import build_flows
    from handlers.callbacks import _REGISTRY

    flows = {flow.name for flow in build_flows()} | {"faq"}
    ours = {p: cls for p, cls in _REGISTRY.items() if cls.__module__.startswith("handlers.")}
    assert len(ours) > 60
    assert {p for p in ours if p.split(":")[0] not in flows} == set()


def test_flows_split_no_ids_and_reach_others_only_through_the_context() -> None:
    """No string routing left in the flows: no ``on_button``, no ``ctx.router``."""
    offenders = []
    for path in sorted((ROOT / "handlers").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"ctx\.router\b", r"\bdef on_button\b", r"button_id\.(partition|split)"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []
