"""Action requests as data (``messages/actions.toml``): examples per action, and slot phrases."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

ACTIONS_FILE = Path(__file__).parent / "actions.toml"


class ActionsError(ValueError):
    """The actions file is malformed (the message names the entry)."""


@dataclass(frozen=True, slots=True)
class Action:
    #: The action name of docs/simulate.md: the flow (``intake``) or flow.part (``privacy.view``).
    name: str
    #: Button id offered under an FAQ answer about this action.
    offer: str
    examples: tuple[str, ...]
    #: Asked for as a question ("bot lưu gì về em?"): question words do not hold it back.
    asked_as_question: bool = False
    #: FAQ topics whose answer, to a message that is not a question, means this action.
    requests_of: tuple[str, ...] = ()
    #: FAQ topics whose plain requests this action serves (the topic's examples may be
    #: requests that start it: "gặp cán bộ" is general.human's and the hand-off's).
    serves: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class Actions:
    """Compared and hashed by identity, so caches can be keyed on it."""

    actions: tuple[Action, ...]
    #: Requests outside the remit that look like ours (trained as out-of-remit).
    not_actions: tuple[str, ...]
    #: slot name → value → phrases (normalised words).
    slots: dict[str, dict[str, tuple[str, ...]]]
    #: Word sequences that make a message a question (normalised words).
    question_markers: tuple[str, ...] = ()
    #: Phrases removed before looking for question words ("thế nào rồi" asks for a status).
    not_markers: tuple[str, ...] = ()
    #: More question examples per FAQ topic id, typed the way people type on Zalo.
    questions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Last words that make a message a yes/no question ("lớp học có mất tiền không").
    question_endings: tuple[str, ...] = ()
    #: Words asking to be told ("thì báo em"): a message holding them is a request, its
    #: question word the condition ("khi nào có lớp may thì báo em").
    tell_me: tuple[str, ...] = ()
    #: Words saying when ("khi nào", "bao giờ"): asked to be told when something happens, the
    #: message is ``tell_me_action`` ("báo em khi nào Nhật tuyển nhé": subscribing).
    tell_me_when: tuple[str, ...] = ()
    tell_me_action: str = ""
    #: The action a message giving the person's particulars and naming a kind is
    #: (``[particulars] action``), and the words that introduce each particular.
    particulars_action: str = ""
    particulars: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, name: str) -> Action | None:
        return next((a for a in self.actions if a.name == name), None)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ActionsError(f"{where}: must be a list of non-empty strings")
    return tuple(value)


def parse_actions(data: dict[str, Any]) -> Actions:
    actions = []
    for n, entry in enumerate(data.get("action", []), 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ActionsError(f"action #{n}: needs a name")
        name = entry["name"]
        actions.append(
            Action(
                name,
                str(entry.get("offer", "")),
                _strings(entry.get("examples"), name),
                asked_as_question=bool(entry.get("asked_as_question", False)),
                requests_of=_strings(entry.get("requests_of", []), f"{name} requests_of"),
                serves=_strings(entry.get("requests_of", []) + entry.get("serves", []),
                                f"{name} serves"),
            )
        )
    slots: dict[str, dict[str, tuple[str, ...]]] = {}
    for slot, table in data.get("slots", {}).items():
        if not isinstance(table, dict):
            raise ActionsError(f"[slots.{slot}] must be a table")
        slots[slot] = {k: _strings(v, f"slots.{slot}.{k}") for k, v in table.items()}
    not_actions = _strings(data.get("not_action", {}).get("examples", []), "not_action")
    question = data.get("question", {})
    markers = _strings(question.get("markers", []), "question")
    not_markers = _strings(question.get("not_markers", []), "question")
    endings = _strings(question.get("endings", []), "question")
    tell_me = _strings(question.get("tell_me", []), "question")
    tell_me_when = _strings(question.get("tell_me_when", []), "question")
    questions = {
        topic: _strings(examples, f"questions.{topic}")
        for topic, examples in data.get("questions", {}).items()
    }
    table = data.get("particulars", {})
    if not isinstance(table, dict):
        raise ActionsError("[particulars] must be a table")
    particulars = {k: _strings(v, f"particulars.{k}") for k, v in table.items() if k != "action"}
    return Actions(tuple(actions), not_actions, slots, markers, not_markers, questions,
                   question_endings=endings, tell_me=tell_me, tell_me_when=tell_me_when,
                   tell_me_action=str(question.get("tell_me_action", "")),
                   particulars_action=str(table.get("action", "")), particulars=particulars)


@cache
def load_actions(path: Path = ACTIONS_FILE) -> Actions:
    """The shipped actions file, read once per process."""
    with path.open("rb") as fh:
        return parse_actions(tomllib.load(fh))
