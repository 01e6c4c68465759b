"""Outreach flows: announcement subscriptions (``subscribe``), the training-needs survey
(``survey``) and the officers' broadcast and survey commands."""

from handlers.outreach.compose import ComposeFlow
from handlers.outreach.subscribe import SubscribeFlow
from handlers.outreach.survey import SurveyFlow

__all__ = ["ComposeFlow", "SubscribeFlow", "SurveyFlow"]
