"""Applicant intake: registering a worker (or a relative) for work abroad or a class."""

from handlers.intake.drafts import expire_drafts
from handlers.intake.flow import IntakeFlow

__all__ = ["IntakeFlow", "expire_drafts"]
