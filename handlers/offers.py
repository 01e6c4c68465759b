"""The button that starts an action (messages/actions.toml ``offer``), offered where a message
was close to asking for it: under an FAQ answer, under a message relayed to an officer."""

from __future__ import annotations

from handlers.types import Button
from messages import t
from messages.actions import load_actions


def offer_buttons(names: tuple[str, ...]) -> list[Button]:
    """One button per named action that has an offer, labelled ``faq.offer.<name>``."""
    actions = load_actions()
    found = [(name, actions.get(name)) for name in names]
    return [Button(a.offer, t(f"faq.offer.{name}")) for name, a in found if a and a.offer]
