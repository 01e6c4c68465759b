"""The registration form's buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from handlers.callbacks import CallbackData
from handlers.intake.steps import Step


@dataclass(frozen=True)
class Start(CallbackData, prefix="intake:start"):
    pass


@dataclass(frozen=True)
class StartAbroad(CallbackData, prefix="intake:abroad"):
    """Register to work abroad (the kind question answered), in the country named if any."""

    market: str | None = None


@dataclass(frozen=True)
class StartCourse(CallbackData, prefix="intake:course"):
    """Register for a class: any, or the one named (from the class list)."""

    course_id: int | None = None


@dataclass(frozen=True)
class Another(CallbackData, prefix="intake:another"):
    """After a registration: register someone or something else."""


@dataclass(frozen=True)
class Consent(CallbackData, prefix="intake:consent"):
    #: "more": the whole consent text (the first message says the key facts).
    answer: Literal["yes", "no", "more"]


@dataclass(frozen=True)
class ToMenu(CallbackData, prefix="intake:menu"):
    pass


@dataclass(frozen=True)
class Waitlist(CallbackData, prefix="intake:waitlist"):
    course_id: int


@dataclass(frozen=True)
class OtherClass(CallbackData, prefix="intake:other_class"):
    pass


@dataclass(frozen=True)
class ClassPage(CallbackData, prefix="intake:classes"):
    page: int


@dataclass(frozen=True)
class Choose(CallbackData, prefix="intake:a"):
    """An option of a question; ``step`` says which, so an old question's button is known."""

    step: Step
    value: str


@dataclass(frozen=True)
class Back(CallbackData, prefix="intake:back"):
    pass


@dataclass(frozen=True)
class Cancel(CallbackData, prefix="intake:cancel"):
    """Asks to confirm; the confirmation's buttons carry the answer."""

    answer: Literal["yes", "no"] | None = None


@dataclass(frozen=True)
class Confirm(CallbackData, prefix="intake:confirm"):
    pass


@dataclass(frozen=True)
class Edit(CallbackData, prefix="intake:edit"):
    """The list of fields to edit, or one field."""

    step: Step | None = None


@dataclass(frozen=True)
class Summary(CallbackData, prefix="intake:summary"):
    pass


@dataclass(frozen=True)
class Restart(CallbackData, prefix="intake:restart"):
    pass


@dataclass(frozen=True)
class Resume(CallbackData, prefix="intake:resume"):
    pass


@dataclass(frozen=True)
class Officer(CallbackData, prefix="intake:officer"):
    """«Gặp cán bộ» under a question not understood twice: the hand-off, the form kept."""
