"""The FAQ knowledge base (``messages/faq/*.toml``): loading and validation.

An official edits the TOML files and restarts the bot; ``python -m bot kb check`` runs
:func:`validate_kb` first and prints every problem with its file and topic id.

Texts may use the deployment profile's placeholders (``{department}``, ``{communes}``…): they are
filled in when the files are read (messages/deployment.toml). An entry's ``details`` is the longer
text behind «Xem chi tiết», so the first message stays short on a phone.

``messages/faq/typed/*.jsonl`` hold questions as people type them on Zalo (``{"q": "...",
"topic": "<id>"}``, ``"topic": null`` for another matter than the office's, or ``"action":
"<name>"`` for a request), written to teach the matcher, never shown: see
:class:`TypedQuestion`.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from messages.actions import load_actions
from messages.deployment import fill
from messages.superseded import Superseded, superseded_in

KB_DIR = Path(__file__).parent / "faq"
#: The folder of the typed questions, inside the knowledge base's.
TYPED_DIR = "typed"

#: The topic ids of spec/faq-topics.md: a contract (simulator, reports), never renamed.
SPEC_TOPIC_IDS: tuple[str, ...] = (
    "abroad.markets", "abroad.japan", "abroad.korea", "abroad.taiwan", "abroad.eligibility",
    "abroad.costs", "abroad.loan", "abroad.support", "abroad.dossier", "abroad.enterprises",
    "abroad.scam", "abroad.process", "abroad.contract_rights", "abroad.language",
    "abroad.return", "abroad.family",
    "training.courses", "training.eligibility", "training.support", "training.schedule",
    "training.register", "training.certificate", "training.after",
    "general.contact", "general.human", "general.privacy", "general.about_bot",
)
#: Groups whose answers quote the law, so they must name their source.
SOURCED_GROUPS = ("abroad", "training")

MAX_TITLE = 40
#: The first message (answer and source line) must read on a small phone without scrolling:
#: with its numbered options it stays under about 600 characters on Zalo.
MAX_REPLY = 480
#: The text behind «Xem chi tiết».
MAX_DETAILS = 1200
#: The one-sentence answer given when a message asked two things (two briefs and their sources
#: make one phone screen each).
MAX_BRIEF = 180
MIN_EXAMPLES = 5
#: Telegram callback data limit.
MAX_BUTTON_BYTES = 64
TOPIC_BUTTON_PREFIX = "faq:t:"

_ID = re.compile(r"^[a-z]+(\.[a-z_]+)+$")
#: A topic id travels in button ids (``faq:d:<id>``), which Telegram limits to 64 bytes.
MAX_ID = 48
_BUTTON = re.compile(r"^[a-z_]+:[A-Za-z0-9_.:-]+$")
_REQUIRED = ("id", "title", "answer", "source", "checked", "review_by", "examples")


class KbError(ValueError):
    """The knowledge base has errors; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    topic: str
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = f"{self.file}: {self.topic}" if self.topic else self.file
        return f"{self.severity.upper()} {where}: {self.message}"


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A button under an answer: ``target`` is a topic id or a button id (``menu:dossier``)."""

    target: str
    label: str = ""

    @property
    def is_topic(self) -> bool:
        return ":" not in self.target


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: str
    answer: str
    source: str
    checked: date
    review_by: date
    examples: tuple[str, ...]
    follow_up: tuple[FollowUp, ...] = ()
    file: str = ""
    details: str = ""
    #: The key fact in one sentence; empty: the answer stands in for it.
    brief: str = ""

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True, slots=True)
class TypedQuestion:
    """A question as people type it (no diacritics, teencode, a story before it), labelled with
    the topic that answers it, or None for another matter ("vay thế chấp sổ đỏ ở Agribank").
    Only the matcher learns from them: the topic's are its examples too, the other matters'
    train the remit check (handlers/understanding/remit.py)."""

    text: str
    topic: str | None
    file: str
    #: A request to do something ("xóa hết thông tin của em"), given as ``"action":
    #: "<name>"`` of messages/actions.toml instead of a topic: the matcher learns it as the
    #: action, so the topic it would have been ("general.privacy") does not learn to answer
    #: requests.
    action: str | None = None


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    entries: dict[str, Entry]
    out_of_remit: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = field(default=())
    #: More out-of-remit questions that train only the remit check (``[remit_check]``), not
    #: the topic classifier: see handlers/understanding/matcher.py.
    remit_check: tuple[str, ...] = ()
    typed: tuple[TypedQuestion, ...] = ()

    def group(self, name: str) -> list[Entry]:
        """Entries of a group (``abroad``, ``training``, ``general``) in file order."""
        return [e for e in self.entries.values() if e.group == name]


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def topic_button(topic_id: str) -> str:
    return f"{TOPIC_BUTTON_PREFIX}{topic_id}"


def _follow_ups(raw: Any, where: tuple[str, str], problems: list[Problem]) -> tuple[FollowUp, ...]:
    out: list[FollowUp] = []
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, str):
            out.append(FollowUp(item.strip()))
        elif isinstance(item, dict) and isinstance(item.get("button"), str) and isinstance(
            item.get("label"), str
        ):
            out.append(FollowUp(item["button"].strip(), _nfc(item["label"])))
        else:
            problems.append(Problem(*where, f"follow_up item {item!r}: give a topic id or "
                                    '{ label = "...", button = "flow:action" }'))
    return tuple(out)


def _entry(raw: Any, file: str, problems: list[Problem]) -> Entry | None:
    if not isinstance(raw, dict):
        problems.append(Problem(file, "", "each [[entry]] must be a table"))
        return None
    topic = str(raw.get("id", "?"))
    where = (file, topic)
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        problems.append(Problem(*where, f"missing field(s): {', '.join(missing)}"))
        return None
    strings = ("id", "title", "answer", "source")
    wrong = [k for k in strings if not isinstance(raw[k], str)]
    wrong += [k for k in ("details", "brief") if not isinstance(raw.get(k, ""), str)]
    wrong += [k for k in ("checked", "review_by") if type(raw[k]) is not date]
    examples = raw["examples"]
    if not isinstance(examples, list) or not all(isinstance(x, str) for x in examples):
        wrong.append("examples")
    if wrong:
        problems.append(Problem(*where, f"wrong type for: {', '.join(wrong)} (text in quotes, "
                                "dates as 2026-11-26, examples as a list of texts)"))
        return None
    return Entry(
        id=raw["id"].strip(), title=_nfc(fill(raw["title"])), answer=_nfc(fill(raw["answer"])),
        source=_nfc(raw["source"]), checked=raw["checked"], review_by=raw["review_by"],
        examples=tuple(_nfc(fill(x)) for x in examples if x.strip()),
        follow_up=_follow_ups(raw.get("follow_up", []), where, problems), file=file,
        details=_nfc(fill(raw.get("details", ""))), brief=_nfc(fill(raw.get("brief", ""))),
    )


def read_kb(directory: Path = KB_DIR) -> KnowledgeBase:
    """Parse every ``*.toml`` file of ``directory``; problems are collected, not raised."""
    problems: list[Problem] = []
    entries: dict[str, Entry] = {}
    out_of_remit: list[str] = []
    remit_check: list[str] = []
    files = sorted(directory.glob("*.toml"))
    if not files:
        problems.append(Problem(str(directory), "", "no .toml files found"))
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(Problem(path.name, "", f"not valid TOML: {exc}"))
            continue
        raw_entries = data.get("entry", [])
        if not isinstance(raw_entries, list):
            problems.append(Problem(path.name, "", "use [[entry]] (an array of tables)"))
            raw_entries = []
        for raw in raw_entries:
            entry = _entry(raw, path.name, problems)
            if entry is None:
                continue
            if entry.id in entries:
                problems.append(Problem(path.name, entry.id,
                                        f"id already used in {entries[entry.id].file}"))
                continue
            entries[entry.id] = entry
        for table, found in (("out_of_remit", out_of_remit), ("remit_check", remit_check)):
            texts = data.get(table, {}).get("examples", [])
            if not isinstance(texts, list) or not all(isinstance(x, str) for x in texts):
                problems.append(Problem(path.name, table, "examples must be a list of texts"))
            else:
                found.extend(_nfc(x) for x in texts if x.strip())
    typed = _typed_questions(directory / TYPED_DIR, entries, problems)
    return KnowledgeBase(entries, tuple(out_of_remit), tuple(problems), tuple(remit_check),
                         typed)


def _typed_questions(directory: Path, entries: dict[str, Entry],
                     problems: list[Problem]) -> tuple[TypedQuestion, ...]:
    """Every line of ``directory/*.jsonl``; a line that is not a question with a known topic
    (or null) is a problem with its file and line number."""
    found: list[TypedQuestion] = []
    for path in sorted(directory.glob("*.jsonl")):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as exc:
            problems.append(Problem(f"{TYPED_DIR}/{path.name}", "", f"not UTF-8: {exc}"))
            continue
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = (f"{TYPED_DIR}/{path.name}", f"line {number}")
            try:
                row = json.loads(line)
            except ValueError as exc:
                problems.append(Problem(*where, f"not valid JSON: {exc}"))
                continue
            fields = row if isinstance(row, dict) else {}
            text, topic, action = fields.get("q"), fields.get("topic"), fields.get("action")
            if not isinstance(text, str) or not text.strip():
                problems.append(Problem(*where, 'give the question as "q": "..."'))
            elif action is not None:
                if not isinstance(action, str) or load_actions().get(action) is None:
                    problems.append(Problem(*where, f"no action is named {action!r} "
                                            "(see messages/actions.toml)"))
                else:
                    found.append(TypedQuestion(_nfc(text), None, path.name, action))
            elif topic is not None and (not isinstance(topic, str) or topic not in entries):
                problems.append(Problem(*where, f"no entry has the topic {topic!r} "
                                        '(give a topic id, or null for another matter)'))
            else:
                found.append(TypedQuestion(_nfc(text), topic, path.name))
    return tuple(found)


def render_answer(entry: Entry, source_line: str, text: str | None = None) -> str:
    """The answer as sent (or ``text``, one of its shorter forms): the text, then the legal
    source and the day it was checked on one short line (``source_line`` has ``{source}`` and
    ``{checked}``, shown dd/mm/yyyy)."""
    text = entry.answer if text is None else text
    if not entry.source:
        return text
    line = source_line.format(source=entry.source, checked=entry.checked.strftime("%d/%m/%Y"))
    return f"{text}\n\n{line}"


#: An entry is "due for review" this many days before its review_by date.
REVIEW_NOTICE_DAYS = 31


def due_for_review(kb: KnowledgeBase, today: date,
                   within_days: int = REVIEW_NOTICE_DAYS) -> list[Entry]:
    """Entries whose review date is past or within ``within_days`` of ``today``, soonest first."""
    due = [e for e in kb.entries.values() if (e.review_by - today).days <= within_days]
    return sorted(due, key=lambda e: (e.review_by, e.id))


def check_entries(kb: KnowledgeBase, today: date, source_line: str,
                  superseded: tuple[Superseded, ...] | None = None) -> list[Problem]:
    """Content rules that need no matcher: ids, lengths, follow-ups, dates, duplicates, and
    sources that cite a superseded instrument (messages/superseded.toml)."""
    problems = list(kb.problems)
    for topic in SPEC_TOPIC_IDS:
        if topic not in kb.entries:
            problems.append(Problem("", topic, "topic of the spec has no entry"))
    seen: dict[str, str] = {}
    for e in kb.entries.values():
        p = [Problem(e.file, e.id, m) for m in _entry_messages(e, kb, source_line)]
        problems.extend(p)
        for old in superseded_in(e.source, today, superseded):
            problems.append(Problem(e.file, e.id, f"source cites {old.instrument}, replaced by "
                                    f"{old.replaced_by} from {old.since}: check the answer "
                                    "against the new text and cite it"))
        if e.review_by < today:
            problems.append(Problem(e.file, e.id, f"past its review date ({e.review_by})",
                                    "warning"))
        if e.checked > today:
            problems.append(Problem(e.file, e.id, f"checked date {e.checked} is in the future",
                                    "warning"))
        for example in e.examples:
            key = " ".join(example.lower().split())
            if key in seen:
                problems.append(Problem(e.file, e.id, f"duplicate example {example!r} "
                                        f"(also in {seen[key]})"))
            seen[key] = e.id
    return problems


def _entry_messages(e: Entry, kb: KnowledgeBase, source_line: str) -> list[str]:
    msgs: list[str] = []
    if not _ID.match(e.id) or len(e.id) > MAX_ID:
        msgs.append(f"id must look like group.name (lower case, a-z and _, ≤ {MAX_ID} characters)")
    if not e.title or len(e.title) > MAX_TITLE:
        msgs.append(f"title must have 1–{MAX_TITLE} characters (has {len(e.title)})")
    reply = render_answer(e, source_line)
    if not e.answer or len(reply) > MAX_REPLY:
        msgs.append(f"answer with its source line must have 1–{MAX_REPLY} characters "
                    f"(has {len(reply)}); move the rest to details (behind «Xem chi tiết»)")
    if len(e.brief) > MAX_BRIEF:
        msgs.append(f"brief must have at most {MAX_BRIEF} characters (has {len(e.brief)})")
    if len(e.details) > MAX_DETAILS:
        msgs.append(f"details must have at most {MAX_DETAILS} characters (has {len(e.details)})")
    if "{" in e.answer + e.details + e.title + e.brief:
        msgs.append("unknown placeholder in braces: use one of messages/deployment.toml")
    if e.group in SOURCED_GROUPS and not e.source:
        msgs.append("source is empty: name the law or decree the answer comes from")
    if len(e.examples) < MIN_EXAMPLES:
        msgs.append(f"needs at least {MIN_EXAMPLES} example questions (has {len(e.examples)})")
    if e.review_by < e.checked:
        msgs.append("review_by is before checked")
    for f in e.follow_up:
        if f.is_topic and f.target not in kb.entries:
            msgs.append(f"follow_up names unknown topic {f.target!r}")
        elif f.is_topic and f.target == e.id:
            msgs.append("follow_up names the entry itself")
        elif not f.is_topic and not _BUTTON.match(f.target):
            msgs.append(f"follow_up button {f.target!r} must look like flow:action")
        elif not f.is_topic and not 0 < len(f.label) <= MAX_TITLE:
            msgs.append(f"follow_up label for {f.target!r} must have 1–{MAX_TITLE} characters")
        target = f.target if not f.is_topic else topic_button(f.target)
        if len(target.encode()) > MAX_BUTTON_BYTES:
            msgs.append(f"button id {target!r} is longer than {MAX_BUTTON_BYTES} bytes")
    return msgs


@cache
def load_kb(directory: Path = KB_DIR) -> KnowledgeBase:
    """The knowledge base, read once per process; raises KbError if it cannot be used."""
    kb = read_kb(directory)
    errors = [p for p in kb.problems if p.severity == "error"]
    missing = [t for t in SPEC_TOPIC_IDS if t not in kb.entries]
    if missing:
        errors.append(Problem(str(directory), "", f"no entry for: {', '.join(missing)}"))
    if errors:
        raise KbError(errors)
    return kb
