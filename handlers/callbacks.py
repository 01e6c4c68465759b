"""Typed button ids (in the spirit of aiogram's ``CallbackData``).

Each flow declares its buttons as small frozen dataclasses::

    @dataclass(frozen=True)
    class Reject(CallbackData, prefix="review:no"):
        case_id: int
        item_key: str
        reason: Reason

``Reject(7, "passport", Reason.BLURRY).pack()`` is ``"review:no:7:passport:blurry"`` (the
wire format the bot always used, so ids in old messages and in saved conversation state still
work); :func:`parse` turns any string back into the declared instance or raises
:class:`BadCallback`. The router parses, finds the flow named by the prefix's first part and
calls its ``on_callback`` with the instance: flows match on classes, never split strings.

Field types: ``int`` (small ASCII numbers only: a forged ``²`` is refused, not a crash),
``str`` (non-empty, no separator), ``bool`` (``1``/``0``), a string ``Enum`` and ``Literal``
of strings; the last fields may be ``X | None = None`` (left out of the id when None).
"""

from __future__ import annotations

import dataclasses
import types
from enum import Enum
from typing import Any, ClassVar, Literal, Self, Union, get_args, get_origin, get_type_hints

from handlers.types import Button
from messages.text import ascii_number

SEP = ":"
#: Telegram's limit on callback data, in bytes.
MAX_BYTES = 64
#: Numbers in ids have at most 9 digits (messages.text.ascii_number's default).
MAX_NUMBER = 999_999_999


class BadCallback(ValueError):
    """A button id that is not (or no longer) one the bot makes: forged, outdated, mangled."""


class CallbackTooLong(ValueError):
    """A button id over Telegram's 64 bytes: a programming error, raised when packing."""


_REGISTRY: dict[str, type[CallbackData]] = {}


class CallbackData:
    """Base of every button declaration; subclasses are ``@dataclass(frozen=True)``."""

    prefix: ClassVar[str]
    #: A yes typed under the message offering this button ("có", "ok", "đồng ý") presses it:
    #: for confirmations the person can undo or redo (bot/choices.py). Never for an erasure.
    typed_yes: ClassVar[bool] = False

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        parts = prefix.split(SEP)
        if not 1 <= len(parts) <= 2 or not all(p.isascii() and p.isidentifier() for p in parts):
            raise ValueError(f"callback prefix {prefix!r}: one or two ASCII names")
        if prefix in _REGISTRY:
            raise ValueError(f"callback prefix {prefix!r} declared twice")
        cls.prefix = prefix
        _REGISTRY[prefix] = cls

    @property
    def flow(self) -> str:
        """The flow that handles this button: the first part of the prefix."""
        return self.prefix.split(SEP, 1)[0]

    def pack(self) -> str:
        values: list[str] = []
        for f, kind in _fields(type(self)):
            values.append(_encode(type(self), f.name, kind, getattr(self, f.name)))
        while values and values[-1] == "":
            values.pop()  # trailing optional fields left out
        packed = SEP.join([self.prefix, *values])
        if len(packed.encode()) > MAX_BYTES:
            raise CallbackTooLong(f"{packed!r} is over {MAX_BYTES} bytes")
        return packed

    def button(self, label: str) -> Button:
        return Button(self.pack(), label)

    @classmethod
    def unpack(cls, value: str) -> Self:
        if value != cls.prefix and not value.startswith(cls.prefix + SEP):
            raise BadCallback(f"{value!r} does not start with {cls.prefix!r}")
        rest = value[len(cls.prefix) + 1 :]
        parts = rest.split(SEP) if rest else []
        fields = _fields(cls)
        required = sum(1 for f, _ in fields if f.default is dataclasses.MISSING)
        if not required <= len(parts) <= len(fields):
            raise BadCallback(f"{value!r}: {len(parts)} values for {cls.__name__}")
        kwargs = {f.name: _decode(kind, raw) for (f, kind), raw in zip(fields, parts, strict=False)}
        return cls(**kwargs)


def parse(value: str) -> CallbackData:
    """The declared button ``value`` packs, or :class:`BadCallback` (never another error)."""
    if len(value) > MAX_BYTES or len(value.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise BadCallback("longer than any id the bot makes")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate ("\ud800", JSON-escaped by a hostile client) is no id the bot made,
        # and packing it again would raise.
        raise BadCallback("not text the bot writes") from None
    parts = value.split(SEP, 2)
    prefixes = (SEP.join(parts[:2]), parts[0]) if len(parts) > 1 else (parts[0],)
    error = BadCallback(f"no button declared for {value[:80]!r}")
    for prefix in prefixes:
        cls = _REGISTRY.get(prefix)
        if cls is not None:
            # "privacy:delete" is the one-part prefix "privacy" with the value "delete" when
            # no button "privacy:delete" takes no values: the longer prefix is tried first.
            try:
                return cls.unpack(value)
            except BadCallback as exc:
                error = exc
    raise error


def flow_of(value: str) -> str:
    """The flow name a button id starts with (whether or not it parses)."""
    return value.split(SEP, 1)[0]


def declared_prefixes() -> frozenset[str]:
    return frozenset(_REGISTRY)


# -- field codecs -------------------------------------------------------------------------------
_FIELDS: dict[type, tuple[tuple[dataclasses.Field[Any], Any], ...]] = {}


def _fields(cls: type[CallbackData]) -> tuple[tuple[dataclasses.Field[Any], Any], ...]:
    """The fields and their types, checked once per class."""
    known = _FIELDS.get(cls)
    if known is None:
        known = _FIELDS[cls] = _read_fields(cls)
    return known


def _read_fields(cls: type[CallbackData]) -> tuple[tuple[dataclasses.Field[Any], Any], ...]:
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} must be a @dataclass(frozen=True)")
    hints = get_type_hints(cls)
    out = []
    optional_seen = False
    for f in dataclasses.fields(cls):
        kind = hints[f.name]
        optional = _optional_of(kind)
        if optional is not None:
            if f.default is not None:
                raise TypeError(f"{cls.__name__}.{f.name}: optional fields default to None")
            optional_seen = True
        elif optional_seen:
            raise TypeError(f"{cls.__name__}.{f.name}: optional fields come last")
        _check_kind(cls, f.name, optional or kind)
        out.append((f, kind))
    return tuple(out)


def _optional_of(kind: Any) -> Any:
    if get_origin(kind) in (Union, types.UnionType):
        args = [a for a in get_args(kind) if a is not type(None)]
        if len(args) == 1 and len(get_args(kind)) == 2:
            return args[0]
    return None


def _check_kind(cls: type, name: str, kind: Any) -> None:
    if kind in (int, str, bool):
        return
    if isinstance(kind, type) and issubclass(kind, Enum):
        values = [m.value for m in kind]
    elif get_origin(kind) is Literal:
        values = list(get_args(kind))
    else:
        values = []
    if values and all(isinstance(v, str) and _plain(v) for v in values):
        return
    raise TypeError(f"{cls.__name__}.{name}: unsupported button field type {kind!r}")


def _plain(text: str) -> bool:
    return bool(text) and SEP not in text


def _encode(cls: type, name: str, kind: Any, value: Any) -> str:
    inner = _optional_of(kind)
    if inner is not None:
        if value is None:
            return ""
        kind = inner
    if kind is bool:
        return "1" if value else "0"
    if kind is int:
        if not isinstance(value, int) or not 0 <= value <= MAX_NUMBER:
            raise ValueError(f"{cls.__name__}.{name}: {value!r} is not a number 0…{MAX_NUMBER}")
        return str(value)
    if isinstance(value, Enum):
        value = value.value
    text = str(value)
    if not _plain(text):
        raise ValueError(f"{cls.__name__}.{name}: {text!r} is empty or holds {SEP!r}")
    return text


def _decode(kind: Any, raw: str) -> Any:
    inner = _optional_of(kind)
    if inner is not None:
        if not raw:
            return None  # an optional field left empty before a later one that is set
        kind = inner
    if kind is int:
        number = ascii_number(raw)
        if number is None:
            raise BadCallback(f"{raw[:20]!r} is not a number")
        return number
    if kind is bool:
        if raw not in ("0", "1"):
            raise BadCallback(f"{raw[:20]!r} is not 0 or 1")
        return raw == "1"
    if not raw:
        raise BadCallback("empty value")
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(raw)
        except ValueError:
            raise BadCallback(f"{raw[:20]!r} is no {kind.__name__}") from None
    if get_origin(kind) is Literal:
        if raw not in get_args(kind):
            raise BadCallback(f"{raw[:20]!r} is not one of {get_args(kind)}")
        return raw
    return raw
