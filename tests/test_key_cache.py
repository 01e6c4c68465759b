"""The training texts' keys on disk: read once per version, never stale, damage ignored."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from handlers.understanding import classifier_cache
from handlers.understanding.key_cache import KeyCache, version_of
from handlers.understanding.matcher import Matcher
from messages.faq_loader import read_kb
from messages.lexicon import load_lexicon
from tests.test_classifier_cache import KB

TEXTS = ["Đi Nhật hết bao nhiêu", "vay vốn", "học nghề may"]
#: Versions as version_of makes them (hex SHA-256).
V1, V2 = "1" * 64, "2" * 64


class Reads:
    """Counts the texts read into keys (the cache's whole point is to avoid it)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, text: str) -> str:
        self.texts.append(text)
        return text.lower()


def _keys(cache: Path | None, version: str, texts: list[str], reads: Reads) -> list[str]:
    keys = KeyCache(cache, version, reads)
    found = [keys.key(text) for text in texts]
    keys.save()
    return found


def _files(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir())


def test_keys_read_once_are_loaded_by_the_next_start(tmp_path: Path) -> None:
    first, again = Reads(), Reads()
    keys = _keys(tmp_path, V1, TEXTS, first)
    assert first.texts == TEXTS and len(_files(tmp_path)) == 1
    assert _keys(tmp_path, V1, TEXTS, again) == keys and again.texts == []


def test_a_new_text_is_read_alone_and_a_text_no_longer_used_is_dropped(tmp_path: Path) -> None:
    _keys(tmp_path, V1, TEXTS, Reads())
    reads = Reads()
    _keys(tmp_path, V1, [*TEXTS[1:], "lớp nấu ăn"], reads)
    assert reads.texts == ["lớp nấu ăn"]
    reads = Reads()
    _keys(tmp_path, V1, TEXTS, reads)
    assert reads.texts == [TEXTS[0]]


def test_another_version_reads_again_and_replaces_the_file(tmp_path: Path) -> None:
    _keys(tmp_path, V1, TEXTS, Reads())
    before = _files(tmp_path)
    reads = Reads()
    _keys(tmp_path, V2, TEXTS, reads)
    assert reads.texts == TEXTS
    assert len(_files(tmp_path)) == 1 and _files(tmp_path) != before


@pytest.mark.parametrize("damage", [
    lambda path: path.write_bytes(b"not a zip file"),
    lambda path: path.write_bytes(path.read_bytes()[:40]),
    lambda path: np.savez(path, texts=np.array(["a", "b"]), keys=np.array(["a"])),
    lambda path: np.savez(path, texts=np.array([1, 2]), keys=np.array([1, 2])),
    lambda path: np.savez(path, texts=np.array([object()], dtype=object),
                          keys=np.array([object()], dtype=object)),
], ids=["garbage", "truncated", "lengths", "numbers", "pickled"])
def test_a_damaged_file_is_ignored_and_replaced(tmp_path: Path, damage: object) -> None:
    keys = _keys(tmp_path, V1, TEXTS, Reads())
    (path,) = tmp_path.iterdir()
    damage(path)  # type: ignore[operator]
    reads = Reads()
    assert _keys(tmp_path, V1, TEXTS, reads) == keys and reads.texts == TEXTS
    reads = Reads()
    _keys(tmp_path, V1, TEXTS, reads)
    assert reads.texts == [], "the damaged file was replaced by a good one"


def test_without_a_directory_every_text_is_read_and_nothing_written(tmp_path: Path) -> None:
    reads = Reads()
    _keys(None, V1, TEXTS, reads)
    _keys(None, V1, TEXTS, reads)
    assert reads.texts == TEXTS * 2 and not list(tmp_path.iterdir())


def test_the_version_follows_the_lexicon_and_the_communes_not_their_order() -> None:
    lexicon = load_lexicon()
    communes = [("phu", "luu"), ("bach", "xa")]
    version = version_of(lexicon, communes)
    assert version_of(lexicon, communes[::-1]) == version
    assert version_of(lexicon, [*communes, ("yen", "thuan")]) != version
    units = {**lexicon.units, "trieu": "tr"}
    assert version_of(replace(lexicon, units=units), communes) != version


def test_the_version_is_the_same_in_every_process() -> None:
    # A set's order changes with the process's hash seed: the lexicon's phrases of one length
    # used to come in that order, so each start made another version and read every text.
    script = ("from handlers.understanding.key_cache import version_of; "
              "from messages.lexicon import load_lexicon; "
              "print(version_of(load_lexicon(), [('bach', 'xa')]))")
    versions = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3")}
    assert len(versions) == 1


def test_a_matcher_built_again_reads_no_training_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb_dir, cache = tmp_path / "kb", tmp_path / "cache"
    kb_dir.mkdir()
    (kb_dir / "a.toml").write_text(KB, encoding="utf-8")
    reads: list[str] = []
    real = Matcher.key

    def counting(self: Matcher, text: str, *, repair: bool = True, births: bool = True) -> str:
        if not births:  # a training text's key
            reads.append(text)
        return real(self, text, repair=repair, births=births)

    monkeypatch.setattr(Matcher, "key", counting)
    first = Matcher(read_kb(kb_dir), cache_dir=cache)
    assert len(reads) > 100  # the examples, the actions' and the typed questions
    reads.clear()
    monkeypatch.setattr(classifier_cache, "_built", {})  # a fresh process: only the disk
    again = Matcher(read_kb(kb_dir), cache_dir=cache)
    assert reads == [] and again.vocabulary == first.vocabulary
    for question in ("vay von di nhat", "het bao nhieu tien", "ky quy"):
        assert again.decide(question) == first.decide(question)
