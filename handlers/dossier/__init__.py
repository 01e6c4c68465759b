"""The support dossier: the family's checklist flow and the officer's review flow."""

from handlers.dossier.family import DossierFlow
from handlers.dossier.review import ReviewFlow, WaitingDossier, list_waiting_dossiers

__all__ = ["DossierFlow", "ReviewFlow", "WaitingDossier", "list_waiting_dossiers"]
