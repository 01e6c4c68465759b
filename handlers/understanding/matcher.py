"""Which knowledge-base topic a free-text question is about, and how sure we are.

Ranking: a logistic-regression classifier over TF-IDF features (word 1–2-grams plus character
2–5-grams inside words) of the normalised example questions, with the out-of-remit examples as
one more class. Chosen by measurement on the dev part of bench/faq_eval.jsonl (top-1, same
knowledge base): rapidfuzz nearest example 65–68%, TF-IDF cosine to each topic's examples 89%,
BM25 86%, this classifier 91–95%; it also gives probabilities to set the answer/clarify bars on.
rapidfuzz still repairs typos in words the knowledge base never uses, before the classifier.

Outcomes: ``answer`` when the best topic is clearly ahead, ``clarify`` (2–3 closest topics)
when it is plausible but not clear, ``fallback`` when nothing is close or the closest thing is
an out-of-remit question; ``smalltalk`` for greetings, thanks and "ok"; ``action`` when the
message asks the bot to DO something (register, see a case, talk to an officer...): the actions
of messages/actions.toml are more classes of the same classifier, labelled ``act:<name>``, so a
request and a question about it are told apart by the same model, trained on both.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from handlers.understanding.classifier_cache import Training, load_or_fit_all
from handlers.understanding.countries import CountryRules
from handlers.understanding.decision import (
    ACTION_PREFIX,
    OUT_OF_REMIT,
    Candidate,
    Decision,
    Thresholds,
    is_action,
    without_actions,
)
from handlers.understanding.examples import training_examples
from handlers.understanding.key_cache import KeyCache, version_of
from handlers.understanding.normalise import without_personal_numbers
from handlers.understanding.phrases import any_in, clause_pattern
from handlers.understanding.reading import Reader
from handlers.understanding.remit import RemitCheck
from handlers.understanding.requests import gives_particulars, request_slots
from handlers.understanding.ruled_out import class_topics_set_aside, spoken, without_ruled_out
from handlers.understanding.shared_facts import answered_together, facts_about
from handlers.understanding.smalltalk import (
    SmallTalk,
    content_words,
    smalltalk_kind,
)
from messages.actions import Actions, load_actions
from messages.deployment import profile
from messages.faq_loader import KnowledgeBase, load_kb
from messages.lexicon import Lexicon, load_lexicon

#: Asked to be told when something happens, being told must be among this many of the
#: classifier's likeliest readings to be the action.
TOLD_AMONG = 3


class Matcher:
    """Built once from the knowledge base; ``decide`` is pure and takes well under 5 ms."""

    def __init__(
        self,
        kb: KnowledgeBase,
        lexicon: Lexicon | None = None,
        thresholds: Thresholds | None = None,
        actions: Actions | None = None,
        *,
        cache_dir: Path | None = None,
    ) -> None:
        """Fits the classifier, or loads it from ``cache_dir`` if it was fitted on the same
        data before (see classifier_cache); without ``cache_dir``, nothing is written."""
        self.kb = kb
        self.actions = actions or load_actions()
        self.lexicon = lexicon or load_lexicon()
        self.thresholds = thresholds or Thresholds()
        # One message's decision ranks the same key several times (the rules, the second
        # opinion, the shared facts): the last few rankings are kept ...
        self._ranked = lru_cache(maxsize=256)(self._rank)
        # ... and reads the same text's key more than once (the follow-up check, the decision).
        self._reader = Reader(self.lexicon, (c.name for c in profile().communes),
                              self.thresholds.spelling)
        self._question_key = lru_cache(maxsize=256)(self._reader.question_key)
        self._countries = CountryRules(self.lexicon, self.thresholds, self.rank)
        self._clauses = clause_pattern(self.lexicon.joiners)
        # Reading every training text is most of a start: the keys are kept on disk too.
        keys = KeyCache(cache_dir, version_of(self.lexicon, self._reader.communes),
                        lambda text: self.key(text, repair=False, births=False))
        examples = training_examples(kb, self.actions, keys.key, self.thresholds.typed_weight)
        keys.save()
        texts, labels, weights = examples.texts, examples.labels, examples.weights
        self._reader.learn(examples.own_words)
        # Words catch the topic; character n-grams inside words catch typos and word forms.
        # The remit check learns from the same texts and more (see RemitCheck).
        self._classifier, self._second, *remit = load_or_fit_all([
            Training("faq", texts, labels, self.thresholds.regularisation, weights=weights),
            Training("faq-second", texts, labels, self.thresholds.second_regularisation,
                     margin=True, weights=weights),
            *RemitCheck.trainings(texts, labels, weights, examples.outside,
                                  regularisation=self.thresholds.remit_regularisation),
        ], cache_dir)
        self._remit = RemitCheck(*remit)

    def key(self, text: str, *, repair: bool = True, births: bool = True) -> str:
        """The message's key (see ``Reader.key``)."""
        return self._reader.key(text, repair=repair, births=births)

    @property
    def vocabulary(self) -> list[str]:
        """The words the examples use: what a repaired word becomes."""
        return self._reader.vocabulary

    def known_share(self, text: str) -> float:
        """The share of the message's words some example uses (see ``Reader.known_share``)."""
        return self._reader.known_share(text)

    def is_question(self, text: str) -> bool:
        """Does the message ask something: a question word, or a yes/no ending ("có mất
        tiền không"); a form uses it to tell a question from an answer."""
        key = self.key(text, repair=False)
        words = key.split()
        # "tôi không" (I do not) answers; "có mất tiền không" asks.
        return self._is_question(key) or (
            len(words) >= 3 and words[-1] in self.actions.question_endings)

    def _is_question(self, key: str) -> bool:
        """Question words, which raise the bar for starting an action ("cho em đăng ký được
        không" is still a request, so yes/no endings do not count here)."""
        padded = f" {key} "
        if self._asks_to_be_told(padded):
            return False  # "khi nào có lớp may thì báo em": to be told, a request
        for phrase in self.actions.not_markers:
            padded = padded.replace(f" {phrase} ", " ")
        return any(f" {marker} " in padded for marker in self.actions.question_markers)

    def _asks_to_be_told(self, padded: str) -> bool:
        """Does the key (a space each side) ask to be told (``tell_me``: "thì báo em")?"""
        return any(f" {phrase} " in padded for phrase in self.actions.tell_me)

    def _request_key(self, text: str) -> str:
        """The key a request is read by: its question key, else its plain key."""
        return self._question_key(text) or self.key(text, repair=False)

    def rank(self, key: str) -> list[Candidate]:
        """Every class (topics and out-of-remit) with its probability, best first."""
        return list(self._ranked(key)) if key else []

    def _rank(self, key: str) -> tuple[Candidate, ...]:
        probabilities = self._classifier.probabilities(key)
        pairs = zip(self._classifier.classes, probabilities, strict=True)
        ranked = sorted(pairs, key=lambda cp: -cp[1])
        return tuple(Candidate(c, float(p)) for c, p in ranked)

    def decide(self, text: str, previous: Sequence[str] = ()) -> Decision:
        """Answer, clarify, fallback or small talk for one message; ``previous``: the topics
        answered to the message before it, if any (a follow-up naming only a country asks the
        same again about that country)."""
        words = spoken(text)
        follow_up = self._countries.asked_again(self._question_key(text), previous)
        if follow_up is not None:
            return follow_up
        particulars = self._particulars(text) or self._told_when(text)
        if particulars is not None:
            # What to register for, or to be told of, is named in the office's own words:
            # in the remit.
            return particulars
        decision = self._decide_message(text, words)
        if decision.outcome == "answer":
            decision = self._without_foreign(decision, words)
        if decision.outcome == "answer":
            decision = self._second_opinion(decision, words)
        if decision.outcome in ("answer", "clarify") and facts_about(self.lexicon, decision.key):
            # Ranked again only for a message that holds a shared fact's words.
            ranked = without_ruled_out(self.lexicon, decision.key,
                                       without_actions(self.rank(decision.key)), words)
            decision = answered_together(self.lexicon, decision, ranked,
                                         self.thresholds.suggest) or decision
        return self._within_remit(decision, words)

    def _second_opinion(self, decision: Decision, words: str | None = None) -> Decision:
        """An answer the second model (a linear SVM on the same examples) does not agree with.
        Two models of one data still err apart on a question between two neighbours ("kí quỹ
        về nước có được trả lại không": costs or coming home): where the second's best topic
        is another, one answered topic becomes two, briefly, the second's added (one of them
        is nearly always the one asked); two answered topics become "which topic?" among the
        three. Out-of-remit as the second's best is the remit check's to judge."""
        key = decision.key
        scores = self._second.probabilities(key)
        best = max((c for c in zip(self._second.classes, scores, strict=True)
                    if not is_action(c[0])), key=lambda cs: cs[1])[0]
        # A country's topic joins by the country rules above (named, compared, its aspect).
        if best in decision.topics or best == OUT_OF_REMIT or best in self.lexicon.countries:
            return decision
        ranked = without_actions(self.rank(key))
        other = next((c for c in without_ruled_out(self.lexicon, key, ranked, words)
                      if c.topic == best),
                     None)
        # A topic the first model finds unlikely is not worth a brief ("xóa hết thông tin đã
        # gửi" is not the steps of going abroad): the bar of a clarify's options.
        if other is None or other.probability < self.thresholds.suggest:
            return decision
        if len(decision.candidates) == 1:
            return Decision("answer", key, (decision.candidates[0], other),
                            offers=decision.offers)
        return Decision("clarify", key, (*decision.candidates, other), offers=decision.offers)

    def outside(self, decision: Decision) -> float:
        """How likely the remit check finds ``decision``'s message outside the office's remit
        (see ``RemitCheck.of``)."""
        return self._remit.of(decision)

    def _within_remit(self, decision: Decision, words: str = "") -> Decision:
        """``decision``, or the fallback the remit check makes of it (see ``RemitCheck.judge``;
        ``words``: the message as typed, see ``spoken``)."""
        return self._remit.judge(decision, self.thresholds, words, self.lexicon.bot_names)

    def _without_foreign(self, decision: Decision, words: str) -> Decision:
        """Leave out the answered topics the message is clearly not about (lexicon
        ``[not_topic]``: "vay nóng", "mua xe trả góp" are not the loan to work abroad; and
        ``[needs]``: "là cái gì vậy" is not about the bot unless the message names it)."""
        kept = tuple(without_ruled_out(self.lexicon, decision.key, list(decision.candidates),
                                       words))
        if len(kept) == len(decision.candidates):
            return decision
        if not kept:
            return Decision("fallback", decision.key, decision.candidates, ruled_out=True)
        return replace(decision, candidates=kept)

    def smalltalk(self, text: str) -> SmallTalk | None:
        """The kind of small talk ``text`` is made of ("ok đợi chút"), else None."""
        return smalltalk_kind(self.key(text, repair=False), self.lexicon)

    def _decide_message(self, text: str, words: str | None = None) -> Decision:
        words = spoken(text) if words is None else words
        plain = self.key(text, repair=False)
        talk = smalltalk_kind(plain, self.lexicon)
        if talk is not None:
            return Decision("smalltalk", plain, smalltalk=talk)
        key = self._question_key(text) or plain
        th = self.thresholds
        everything = self.rank(key)
        question = self._is_question(key)
        # "muốn đi học đại học ở Trung Quốc" is not a request to register (lexicon
        # ``[not_topic]`` of the action), nor is a request only about what the action serves
        # ruled out ("xin hỗ trợ bê tông hóa đường thôn thì làm đơn gửi ai": not the dossier).
        best_action = next((c for c in without_ruled_out(self.lexicon, key, everything)
                            if is_action(c.topic) and not self._serves_ruled_out(key, c.topic)),
                           None)
        if best_action is not None and " " in key:
            name = best_action.topic.removeprefix(ACTION_PREFIX)
            action = self.actions.get(name)
            asked = question and not (action is not None and action.asked_as_question)
            rival = next((c for c in everything if not is_action(c.topic)), None)
            lead = best_action.probability - (rival.probability if rival else 0.0)
            p = best_action.probability
            # A request clearly ahead; or, not asked as a question, a request that is close
            # behind a topic ("ghi tên em đi Đài Loan": the Taiwan topic, but a request).
            if (lead >= th.action_margin and p >= (th.action_question if asked else th.action)) \
                    or (not asked and p >= th.action_close and rival is not None
                        and rival.topic != OUT_OF_REMIT and len(key.split()) >= 3):
                return Decision("action", key, (best_action,), action=name)
        offers = tuple(
            c.topic.removeprefix(ACTION_PREFIX)
            for c in everything
            if is_action(c.topic) and c.probability >= th.offer
        )[:1]
        ranked = without_actions(everything)
        both = self._two_questions(text, key, ranked, words)
        if both is not None:
            return both
        decision = self._decide(key, ranked, words)
        if decision.outcome == "clarify":
            decision = self._confirmed_by_ending(key, decision, words) or decision
        # A request far ahead of every topic, when no topic is clear (not understood, or "which
        # topic?" among topics far behind it): the request is taken.
        if (decision.outcome in ("fallback", "clarify") and best_action is not None
                and everything[0] is best_action
                and best_action.probability >= th.action_unanswered):
            return Decision("action", key, (best_action,),
                            action=best_action.topic.removeprefix(ACTION_PREFIX))
        if decision.outcome in ("answer", "clarify") and not question:
            # Topics whose examples are plain requests ("muốn học nghề"): the request it is.
            # So is one set aside as a class's registration for a message about working
            # abroad: "tôi muốn đăng ký đi làm việc ở nước ngoài" registers, it asks nothing.
            said = {decision.topic} if decision.outcome == "answer" else set()
            said |= {c.topic for c in ranked[:1]} & class_topics_set_aside(self.lexicon, key)
            taker = next((a for a in self.actions.actions if said & set(a.requests_of)), None)
            if taker is not None:
                return Decision("action", key, decision.candidates, action=taker.name)
        if decision.outcome == "answer" and not offers:
            # A question about registering ("đăng ký học nghề cần gì?") offers to register.
            offers = tuple(a.name for a in self.actions.actions
                           if set(decision.topics) & set(a.requests_of))[:1]
        if decision.outcome in ("answer", "clarify") and offers:
            return replace(decision, offers=offers)
        return decision

    def _particulars(self, text: str) -> Decision | None:
        """A person giving their particulars (a phone, a birth year, a village, a name) and
        what they want ("Tôi là Nông Văn Thắng sinh 1990 thôn Nà Thác, sđt 0386 112 233, tôi
        muốn đi Đài Loan"), asking nothing, is registering (``[particulars]``); it got the
        Taiwan answer. None for anything else."""
        name = self.actions.particulars_action
        # Particulars first: reading the request's slots is a fifth of a decision's time.
        if (not name or not gives_particulars(text, self.actions)
                or "kind" not in request_slots(text, self.actions)):
            return None
        key = self._request_key(text)
        if self._is_question(key):
            return None
        found = tuple(c for c in self.rank(key) if c.topic == ACTION_PREFIX + name)[:1]
        return Decision("action", key, found, action=name)

    def _told_when(self, text: str) -> Decision | None:
        """"báo em khi nào Nhật tuyển nhé": asking to be told (``tell_me``) when something
        happens (``tell_me_when``), where being told is the likeliest action among the
        classifier's likeliest readings, is that action (``tell_me_action``); it got the Japan
        answer. None for anything else ("thiếu giấy gì thì báo em": no time said; "khi nào có
        kết quả hồ sơ thì báo em": the case's status is likelier)."""
        name = self.actions.tell_me_action
        key = self._request_key(text)
        padded = f" {key} "
        if not name or not self._asks_to_be_told(padded) or not any(
                f" {w} " in padded for w in self.actions.tell_me_when):
            return None
        likeliest = self.rank(key)[:TOLD_AMONG]
        action = next((c for c in likeliest if c.topic.startswith(ACTION_PREFIX)), None)
        if action is None or action.topic != ACTION_PREFIX + name:
            return None
        return Decision("action", key, (action,), action=name)

    def _two_questions(self, text: str, key: str, whole: list[Candidate],
                       words: str | None = None) -> Decision | None:
        """A long message whose clauses are each clearly about a different topic ("đi Nhật hết
        bao nhiêu, với lại vay ở đâu"): both topics are answered. When the whole message
        (``whole``: its ranking) clearly answers one topic, that topic is one of the two
        (first, when clauses before it told a story), or the clauses are not read apart:
        "chồng em bị tai nạn ở Hàn, mới đi được 14 tháng, bảo hiểm có chi trả không" is a
        worker's rights, not the family's help and the steps of going, which its first two
        clauses read as. Over every eval line this moved 80 decisions to right, 3 to wrong.
        """
        th = self.thresholds
        if len(key.split()) < th.pair_words:
            return None
        lowered = unicodedata.normalize("NFC", text).lower()
        # A clause of courtesies and pronouns ("em cảm ơn chị nhiều") asks nothing, nor one
        # giving a phone or ID number ("sdt của em là 0912345678, …").
        clauses = [k for c in self._clauses.split(lowered)
                   if c and len((k := self._question_key(c)).split()) >= 3
                   and len(content_words(k.split(), self.lexicon)) >= 2
                   and len(without_personal_numbers(k.split(), self.lexicon, least=0)) >= 3]
        if len(clauses) < 2:
            return None
        found: list[Candidate] = []
        for clause_key in clauses:
            ranked = without_actions(self.rank(clause_key))
            decision = self._decide(clause_key, ranked, words)
            if decision.topics and self._tells_already_there(clause_key, decision.topics[0]):
                continue  # "cháu đang làm việc ở Nhật Bản": the story, asking nothing
            # A clause may itself be answered with its country ("đi Đài Loan hết bao nhiêu"):
            # its first topic is what that clause asks.
            if decision.topics and all(c.topic != decision.topics[0] for c in found):
                found.append(decision.candidates[0])
        clear = self._clear_topic(key, whole, words)
        if clear is not None and all(c.topic != clear.topic for c in found[:2]):
            if all(c.topic != clear.topic for c in found):
                return None
            found = [clear, *(c for c in found if c.topic != clear.topic)]
        return Decision("answer", key, tuple(found[:2])) if len(found) >= 2 else None

    def _clear_topic(self, key: str, ranked: list[Candidate], words: str | None
                     ) -> Candidate | None:
        """The topic a message clearly answers as a whole (an answer's bar and lead), if any."""
        th = self.thresholds
        kept = without_ruled_out(self.lexicon, key, ranked, words)
        if len(kept) < 2 or kept[0].topic == OUT_OF_REMIT:
            return None
        best, second = kept[0], kept[1]
        if best.probability >= th.answer and best.probability - second.probability >= th.margin:
            return best
        return None

    def _tells_already_there(self, clause_key: str, topic: str) -> bool:
        """Is the clause, answered with a country's topic, only telling that someone is there
        already (``[already_there]``), asking nothing?"""
        return (topic in self.lexicon.countries and not self._is_question(clause_key)
                and any_in(f" {clause_key} ", self.lexicon.already_there))

    def _confirmed_by_ending(self, key: str, decision: Decision, words: str | None = None
                             ) -> Decision | None:
        """A long message that tells a story before asking ("em 22 tuổi, học hết lớp 12, ở
        nhà làm nương… rồi hết bao nhiêu tiền"): the story spreads the probability, the
        question is at the end. When the message's best topic is also what its last words,
        read alone, clearly answer, it is answered, the runner-up offered. In a story of
        ``story_words`` words or more, so is another offered topic the last words answer
        ("… muốn đi làm ở nước ngoài thì vay vốn ở đâu": the loan), if it is at least as
        likely as a clarify's bar and more likely than outside the remit."""
        said = key.split()
        th = self.thresholds
        n = th.ending_words
        best = decision.candidates[0]
        outside = next((c.probability for c in without_actions(self.rank(key))
                        if c.topic == OUT_OF_REMIT), 0.0)
        # Never on a message that may well be outside the remit ("ly hôn với chồng ở Hàn").
        if len(said) < n + 3 or best.probability - outside < th.lean:
            return None
        ending = " ".join(said[-n:])
        read = self._decide(ending, without_actions(self.rank(ending)), words)
        if read.outcome != "answer":
            return None
        offered = [c for c in decision.candidates if c.topic == read.topics[0]]
        # A long story: its last words, read alone, answer one of the topics offered.
        if read.topics[0] != best.topic and not (offered and len(said) >= th.story_words):
            return None
        chosen = best if read.topics[0] == best.topic else offered[0]
        # Never a topic less likely than outside the remit, or than a clarify's bar.
        if chosen.probability <= outside or chosen.probability < th.clarify:
            return None
        runner_up = tuple(c.topic for c in decision.candidates if c != chosen)[:1]
        return Decision("answer", key, (chosen,), also_offered=runner_up)

    def _serves_ruled_out(self, key: str, topic: str) -> bool:
        """Whether every topic the action ``topic`` serves is one the message is clearly not
        about (an action serving none is never ruled out this way). A class's registration
        set aside for a message about working abroad is not: registering covers both."""
        action = self.actions.get(topic.removeprefix(ACTION_PREFIX))
        if action is None or not action.serves:
            return False
        if class_topics_set_aside(self.lexicon, key) & set(action.serves):
            return False
        served = [Candidate(t, 0.0) for t in action.serves]
        return not without_ruled_out(self.lexicon, key, served)

    def _decide(self, key: str, ranked: list[Candidate], words: str | None = None
                ) -> Decision:
        """The question's decision, or its side of working abroad when a country's name is
        all that pulls it to the country's topic (see ``CountryRules.aspect``)."""
        kept = without_ruled_out(self.lexicon, key, ranked, words)
        decision = self._decide_question(key, kept)
        decision = self._countries.aspect(key, decision) or decision
        decision = self._countries.named(key, kept, decision) or decision
        decision = self._countries.compared(key, kept, decision) or decision
        if decision.outcome == "answer" and kept and ranked and kept[0] != ranked[0]:
            # The best-ranked topic was ruled out ("vay trả góp", "đòi nợ"): the message is
            # likely about something outside the remit, so the runner-up is offered, never
            # answered on its own ("kiện công ty tài chính đòi nợ" is not a worker's rights).
            return self._clarify(key, kept)
        if (decision.outcome == "fallback" and ranked and ranked[0].topic != OUT_OF_REMIT
                and kept[:1] != ranked[:1]):
            return replace(decision, ruled_out=True)
        return decision

    def _decide_question(self, key: str, ranked: list[Candidate]) -> Decision:
        """Answer, clarify or fallback among the question topics (actions left out)."""
        th = self.thresholds
        if not ranked or ranked[0].topic == OUT_OF_REMIT or ranked[0].probability < th.clarify:
            return Decision("fallback", key, tuple(ranked[:3]))
        best, second = ranked[0], ranked[1]
        if best.probability >= th.answer and best.probability - second.probability >= th.margin:
            return Decision("answer", key, (best,))
        in_remit = [c for c in ranked if c.topic != OUT_OF_REMIT]
        outside = next((c.probability for c in ranked if c.topic == OUT_OF_REMIT), 0.0)
        pair = in_remit[:2]
        # Out-of-remit as likely as either topic: the message may be neither.
        if (len(pair) == 2 and pair[1].probability >= max(th.pair_each, outside)
                and pair[0].probability + pair[1].probability >= th.pair_sum
                and len(key.split()) >= th.pair_words):
            # A long message between two topics usually asks both: answer both, briefly.
            return Decision("answer", key, tuple(pair))
        if (best.probability >= th.answer and best.probability - second.probability >= th.lean
                and best.probability - outside >= th.lean_outside
                and len(key.split()) >= th.lean_words):
            # Ahead of everything, if not by much: answered, the runner-up one tap away.
            runner_up = next((c.topic for c in in_remit[1:2]), None)
            return Decision("answer", key, (best,),
                            also_offered=(runner_up,) if runner_up else ())
        return self._clarify(key, ranked)

    def _clarify(self, key: str, ranked: list[Candidate]) -> Decision:
        """"Which topic?" among the best in-remit topics of ``ranked``."""
        th = self.thresholds
        in_remit = [c for c in ranked if c.topic != OUT_OF_REMIT]
        # Always two choices (a question with one option is not a question), a third if close.
        offered = in_remit[:2] + [c for c in in_remit[2:3] if c.probability >= th.suggest]
        return Decision("clarify", key, tuple(offered[: th.max_suggestions]))


_shipped: Matcher | None = None


def get_matcher(cache_dir: Path | None = None) -> Matcher:
    """The matcher of the shipped knowledge base, built on first use (the start-up passes the
    ``CACHE_DIR`` setting, so the classifier is fitted once per knowledge-base version)."""
    global _shipped
    if _shipped is None:
        _shipped = Matcher(load_kb(), cache_dir=cache_dir)
    return _shipped
