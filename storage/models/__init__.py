"""All ORM models; importing this package registers every table on ``Base.metadata``."""

import storage.models.plan  # noqa: F401  (registers the plan and alert tables)
from storage.models.base import Base, UTCDateTime, utcnow
from storage.models.cases import Case, Notice
from storage.models.catalog import OPEN_START, Course, Program, Unit
from storage.models.core import Contact, ConversationState, InboundLog, OutboxMessage
from storage.models.dossier import DossierDocument, DossierEvent, DossierItem, DossierTracker
from storage.models.exports import EXPORT_LIFETIME, ExportFile
from storage.models.faq import FallbackQuestion
from storage.models.inbox import StoredUpdate
from storage.models.intake import CaseCounter, IntakeDraft
from storage.models.officials import Officer, SigninFailure
from storage.models.outreach import (
    Broadcast,
    BroadcastRecipient,
    Subscription,
    SurveyResponse,
    SurveyRound,
)
from storage.models.threads import CaseStatusChange, Thread, ThreadMessage

__all__ = [
    "EXPORT_LIFETIME",
    "OPEN_START",
    "Base",
    "Broadcast",
    "BroadcastRecipient",
    "Case",
    "CaseCounter",
    "CaseStatusChange",
    "Contact",
    "ConversationState",
    "Course",
    "DossierDocument",
    "DossierEvent",
    "DossierItem",
    "DossierTracker",
    "ExportFile",
    "FallbackQuestion",
    "InboundLog",
    "IntakeDraft",
    "Notice",
    "Officer",
    "OutboxMessage",
    "Program",
    "SigninFailure",
    "StoredUpdate",
    "Subscription",
    "SurveyResponse",
    "SurveyRound",
    "Thread",
    "ThreadMessage",
    "UTCDateTime",
    "Unit",
    "utcnow",
]
