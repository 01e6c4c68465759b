"""What the matcher learns from: every example of the knowledge base and messages/actions.toml,
and the typed questions (``messages/faq/typed``), each with its class and its weight.

The knowledge base's own examples count 1; a typed question counts ``typed_weight`` (see
``Thresholds.typed_weight``). The typed questions about another matter train only the remit
check (``outside``), like ``[remit_check]``: one among thirty classes, they would make
"outside" the topic classifier's default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.understanding.decision import ACTION_PREFIX, OUT_OF_REMIT
from messages.actions import Actions
from messages.faq_loader import KnowledgeBase, TypedQuestion


@dataclass(frozen=True, slots=True)
class Examples:
    """Normalised training texts, with a class and a weight each."""

    texts: list[str]
    labels: list[str]
    weights: list[float]
    #: The remit check's further out-of-remit texts, each with its weight.
    outside: list[tuple[str, float]]
    #: The words of the knowledge base's own examples: the spelling repair's known words. The
    #: typed questions keep their misspellings ("kí quĩ", "tie6ng1"), which would stop repairs.
    own_words: frozenset[str]


def training_examples(kb: KnowledgeBase, actions: Actions, key: Callable[[str], str],
                      typed_weight: float) -> Examples:
    """Every example, read with ``key`` (the matcher's normalisation, without repair)."""
    own: list[tuple[str, str]] = [
        *((example, entry.id) for entry in kb.entries.values()
          for example in (entry.title, *entry.examples)),
        *((example, OUT_OF_REMIT) for example in kb.out_of_remit),
        # A topic removed from the KB: its extra examples go too.
        *((example, topic) for topic, examples in actions.questions.items()
          if topic in kb.entries for example in examples),
        *((example, ACTION_PREFIX + action.name) for action in actions.actions
          for example in action.examples),
        *((example, OUT_OF_REMIT) for example in actions.not_actions),
    ]
    typed = [(q.text, label) for q in kb.typed if (label := _label(q)) is not None]
    texts = [key(text) for text, _ in (*own, *typed)]
    outside = [(key(text), 1.0) for text in kb.remit_check]
    outside += [(key(q.text), typed_weight) for q in kb.typed if _label(q) is None]
    return Examples(
        texts=texts,
        labels=[label for _, label in (*own, *typed)],
        weights=[1.0] * len(own) + [typed_weight] * len(typed),
        outside=outside,
        own_words=frozenset(w for text in texts[:len(own)] for w in text.split()),
    )


def _label(question: TypedQuestion) -> str | None:
    """The class a typed question teaches: its action, its topic, or None (another matter)."""
    return ACTION_PREFIX + question.action if question.action is not None else question.topic
