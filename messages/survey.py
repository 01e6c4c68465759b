"""The training-needs questionnaire (``messages/survey.toml``), loaded and checked once."""

from __future__ import annotations

import tomllib
import unicodedata
from collections import ChainMap
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from messages.deployment import fill, profile_fields

SURVEY_FILE = Path(__file__).parent / "survey.toml"
KINDS = frozenset({"choice", "multi", "unit", "text"})


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    kind: str
    text: str
    options: dict[str, str] = field(default_factory=dict)
    #: A short name for the answer lists (the person's view, exports).
    label: str = ""
    optional: bool = False
    #: multi: «Khác» is followed by a question asking for it in words.
    other: bool = False
    #: What people type for an option besides its label, by option key.
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: ``text`` before the deployment's facts filled it in.
    template: str = ""

    def worded(self, **facts: str) -> str:
        """``text`` with some of the deployment's facts given otherwise (the example commune
        of a round open in only some communes)."""
        if not facts or not self.template:
            return self.text
        return self.template.format_map(ChainMap(facts, profile_fields()))


@dataclass(frozen=True, slots=True)
class Questionnaire:
    version: str
    questions: tuple[Question, ...]

    def get(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def label(self, question_id: str, value: str) -> str:
        question = self.get(question_id)
        return question.options.get(value, value) if question else value


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def read_questionnaire(path: Path = SURVEY_FILE) -> Questionnaire:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    questions = []
    for raw in data["questions"]:
        kind = raw["kind"]
        if kind not in KINDS:
            raise ValueError(f"{path.name}: question {raw['id']}: unknown kind {kind!r}")
        options = {str(k): _nfc(str(v)) for k, v in raw.get("options", {}).items()}
        if kind in ("choice", "multi") and not options:
            raise ValueError(f"{path.name}: question {raw['id']} has no options")
        # An option's key travels in its button id (``survey:opt:<key>``, at most 64 bytes).
        if any(not k.isascii() or ":" in k or len(k) > 40 for k in options):
            raise ValueError(f"{path.name}: question {raw['id']}: option keys are short ASCII")
        typed = raw.get("words", {})
        if not isinstance(typed, dict) or not all(
                isinstance(v, list) and all(isinstance(w, str) for w in v) for v in typed.values()):
            raise ValueError(f"{path.name}: question {raw['id']}: words are lists of phrases")
        words = {str(k): tuple(_nfc(w) for w in v) for k, v in typed.items()}
        if not set(words) <= set(options):
            raise ValueError(f"{path.name}: question {raw['id']}: words for unknown options")
        questions.append(
            Question(
                id=raw["id"],
                kind=kind,
                text=fill(_nfc(raw["text"])),
                template=_nfc(raw["text"]),
                options=options,
                label=_nfc(raw.get("label", raw["id"])),
                optional=bool(raw.get("optional", False)),
                other=bool(raw.get("other", False)),
                words=words,
            )
        )
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids) or "unit" not in ids or "trades" not in ids:
        raise ValueError(f"{path.name}: question ids must be unique and include unit, trades")
    return Questionnaire(str(data["version"]), tuple(questions))


@cache
def questionnaire() -> Questionnaire:
    return read_questionnaire()
