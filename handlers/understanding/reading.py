"""A message's key: its words as the classifier reads them. Normalised (handlers/understanding/
normalise.py), a commune's name as the one word "xã", a phone, ID or birth number left out, and,
once the examples are known (``learn``), a word no example or lexicon phrase uses repaired: a
Telex or VNI keyboard's leftovers, a key next to the one meant, words typed without spaces, a
close spelling of an example's word.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process

from handlers.understanding.normalise import (
    other_i,
    rewrite,
    slipped_key,
    tokens,
    unglue,
    untelex,
    without_personal_numbers,
)
from handlers.understanding.phrases import NUMBER, commune_as_word
from handlers.understanding.smalltalk import smalltalk_words, without_courtesies
from messages.lexicon import Lexicon


class Reader:
    """Reads keys for one lexicon and the deployment's communes; repairs words after
    ``learn``."""

    def __init__(self, lexicon: Lexicon, communes: Iterable[str], spelling: float) -> None:
        self.lexicon = lexicon
        self.spelling = spelling
        # A commune's name says "a commune" to the matcher, whichever it is: "lớp ở Bạch Xa"
        # reads as "lớp ở xã" (class list), not as two unknown words pulling anywhere.
        self.communes = tuple(sorted({tuple(tokens(c, lexicon)) for c in communes}, key=len,
                                     reverse=True))
        self.vocabulary: list[str] = []
        self._example_words: frozenset[str] = frozenset()
        self._known: frozenset[str] = frozenset()

    def learn(self, example_words: Iterable[str]) -> None:
        """The words the examples use: the vocabulary repairs aim at. Words the lexicon
        produces are real words even when no example uses them: never "repaired" into a
        knowledge-base word ("chao" is not a typo of "cao"); the same for the words of the
        lexicon's phrases ("chân tay miệng" must stay itself for ``[not_topic]`` to find
        it, not become "chan tay mien")."""
        lexicon = self.lexicon
        self._example_words = frozenset(example_words)
        self.vocabulary = sorted(self._example_words)
        phrases = (*lexicon.domestic, *lexicon.abroad,
                   *(p for ps in lexicon.not_topic.values() for p in ps))
        lexicon_words = {w for ws in lexicon.abbreviations.values() for w in ws} | {
            w for p in phrases for w in p if w != NUMBER}
        self._known = self._example_words | lexicon_words | smalltalk_words(lexicon)

    def key(self, text: str, *, repair: bool = True, births: bool = True) -> str:
        """The normalised text; with ``repair``, unknown words are spelling-corrected. A phone
        or ID number in it is left out, with the words naming it ("sdt 0912345678"); with
        ``births``, a year of birth too ("sinh năm 1975"). The training examples keep theirs:
        written for their topic, the year is part of the story they tell."""
        words = without_personal_numbers(tokens(text, self.lexicon), self.lexicon,
                                         births=births)
        words = commune_as_word(words, self.communes)
        if repair:
            repaired = [self._repair(w) for w in words]
            if repaired != words:
                # A repaired word is read in context too ("di hab" → "di han" → "di han quoc").
                repaired = rewrite(" ".join(repaired).split(), self.lexicon.rewrites)
            words = repaired
        return " ".join(words)

    def question_key(self, text: str) -> str:
        """The key of a question, without the greetings and thanks around it."""
        return " ".join(without_courtesies(self.key(text).split(), self.lexicon))

    def known_share(self, text: str) -> float:
        """The share of the message's words that some example uses: a message mostly of words
        nobody wrote ("abc xyz qwe") is not understood, whichever class ranks first."""
        words = self.key(text, repair=False).split()
        return sum(w in self._known for w in words) / len(words) if words else 0.0

    def _repair(self, word: str) -> str:
        if word in self._known or word.isdigit():
            return word
        # A keyboard that left its Telex or VNI keys ("hocj ngheef"): read without them.
        plain = untelex(word)
        if plain != word and plain in self._known:
            return plain
        respelt = other_i(word)
        if respelt is not None and respelt in self._known:
            return respelt
        # A key next to the one meant ("hab", "nuox").
        slipped = slipped_key(word, self._example_words)
        if slipped is not None:
            return slipped
        # Words typed without the spaces between them ("hocmaythang", "dangky").
        glued = unglue(word, self._example_words)
        if glued is not None:
            return " ".join(glued)
        if len(word) < 5:
            return word
        found = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio,
                                   score_cutoff=self.spelling)
        return str(found[0]) if found else word
