"""The classifier cache: fitted once per training data, never stale, corrupt files refitted."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from handlers.understanding import classifier, classifier_cache
from handlers.understanding.classifier import Classifier
from handlers.understanding.classifier_cache import load_or_fit
from handlers.understanding.matcher import Matcher
from messages.faq_loader import read_kb

TEXTS = ["vay von ngan hang", "lai suat vay", "chi phi di nhat", "tien dich vu", "hoc nghe gi",
         "lop hoc nghe"]
LABELS = ["loan", "loan", "costs", "costs", "training", "training"]


class Fits:
    """Counts the real fits (the cache's whole point is to avoid them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = classifier.fit

        def counting(*args: object, **kwargs: object) -> Classifier:
            self.count += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(classifier, "fit", counting)


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> Fits:
    # A fresh process each time: nothing remembered in memory, only what is on disk.
    monkeypatch.setattr(classifier_cache, "_built", {})
    return Fits(monkeypatch)


def _fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classifier_cache, "_built", {})


def _files(cache: Path) -> list[Path]:
    """The directory's files but the fits' lock files (empty, kept for the next fit)."""
    return sorted(p for p in cache.iterdir() if p.suffix != ".lock")


def _load(cache: Path, texts: list[str] = TEXTS) -> Classifier:
    return load_or_fit(texts, LABELS, regularisation=1.0, cache_dir=cache, name="test")


def test_fitted_once_then_loaded_with_the_same_probabilities(
    tmp_path: Path, fits: Fits, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _load(tmp_path)
    assert fits.count == 1
    files = _files(tmp_path)
    assert len(files) == 1 and files[0].name.startswith("test-") and files[0].suffix == ".npz"
    _fresh_process(monkeypatch)
    second = _load(tmp_path)
    assert fits.count == 1 and second is not first
    for text in [*TEXTS, "vay tien hoc nghe", ""]:
        assert np.array_equal(first.probabilities(text), second.probabilities(text))


def test_changed_training_data_refits_and_removes_the_old_file(
    tmp_path: Path, fits: Fits, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load(tmp_path)
    old = {p.name for p in _files(tmp_path)}
    _fresh_process(monkeypatch)
    _load(tmp_path, [*TEXTS[:-1], "lop hoc nghe may"])
    assert fits.count == 2
    new = {p.name for p in _files(tmp_path)}
    assert len(new) == 1 and new != old


def test_other_classifiers_in_the_directory_are_kept(tmp_path: Path, fits: Fits) -> None:
    load_or_fit(TEXTS, LABELS, regularisation=1.0, cache_dir=tmp_path, name="test-actions")
    _load(tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 2


def test_a_new_library_version_or_code_changes_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    before = classifier_cache.cache_key(TEXTS, LABELS, regularisation=1.0)
    assert classifier_cache.cache_key(TEXTS, LABELS, regularisation=2.0) != before
    assert classifier_cache.cache_key(TEXTS, [*LABELS[:-1], "x"], regularisation=1.0) != before
    monkeypatch.setattr(classifier_cache, "version", lambda lib: "99.0")
    classifier_cache._code_and_libraries.cache_clear()
    try:
        assert classifier_cache.cache_key(TEXTS, LABELS, regularisation=1.0) != before
    finally:
        classifier_cache._code_and_libraries.cache_clear()


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"not a zip file"),
        lambda path: path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2]),
        lambda path: path.write_bytes(b""),
        # Arrays that do not fit together (coefficients of another shape).
        lambda path: np.savez(path, **{**dict(np.load(path)), "coef": np.zeros((2, 2))}),
        # An object array would need unpickling: refused, never executed.
        lambda path: np.savez(path, **{**dict(np.load(path)),
                                       "classes": np.array([object(), 1], dtype=object)}),
        lambda path: np.savez(path, **{**dict(np.load(path)),
                                       "coef": np.full_like(np.load(path)["coef"], np.nan)}),
    ],
    ids=["garbage", "truncated", "empty", "shapes", "pickled", "nan"],
)
def test_a_damaged_file_is_ignored_and_replaced(
    tmp_path: Path, fits: Fits, monkeypatch: pytest.MonkeyPatch, damage: object
) -> None:
    first = _load(tmp_path)
    (path,) = _files(tmp_path)
    damage(path)  # type: ignore[operator]
    _fresh_process(monkeypatch)
    again = _load(tmp_path)
    assert fits.count == 2
    assert np.array_equal(first.probabilities("vay von"), again.probabilities("vay von"))
    _fresh_process(monkeypatch)
    _load(tmp_path)
    assert fits.count == 2, "the damaged file was replaced by a good one"
    assert [p.name for p in _files(tmp_path)] == [path.name]


def test_an_unwritable_cache_directory_only_costs_the_fit(tmp_path: Path, fits: Fits) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the directory should be")
    assert _load(blocked / "cache").probabilities("vay von").shape == (3,)
    assert fits.count == 1
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_no_temporary_file_is_left_behind(tmp_path: Path, fits: Fits) -> None:
    _load(tmp_path)
    assert [p.suffix for p in _files(tmp_path)] == [".npz"]


KB = '''
[[entry]]
id = "abroad.loan"
title = "Vay vốn"
answer = "Vay ở Ngân hàng Chính sách xã hội."
source = "Nghị định 338/2025/NĐ-CP"
checked = 2026-11-01
review_by = 2027-05-01
examples = ["vay von di xkld", "vay ngan hang chinh sach", "lai suat vay", "vay bao nhieu",
            "the chap"]

[[entry]]
id = "abroad.costs"
title = "Chi phí"
answer = "Tiền dịch vụ tối đa 1 tháng lương cho 12 tháng."
source = "Luật 69/2020/QH14"
checked = 2026-11-01
review_by = 2027-05-01
examples = ["het bao nhieu tien", "chi phi di nhat", "tien dich vu", "ky quy", "phi moi gioi"]
'''


def test_the_matcher_follows_the_knowledge_base_content_not_its_files(
    tmp_path: Path, fits: Fits, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb_dir, cache = tmp_path / "kb", tmp_path / "cache"
    kb_dir.mkdir()
    (kb_dir / "a.toml").write_text(KB, encoding="utf-8")
    Matcher(read_kb(kb_dir), cache_dir=cache)
    # The topic classifier, its second opinion and the remit check's two models, a file each,
    # and the training texts' keys (handlers/understanding/key_cache.py).
    assert fits.count == 4
    assert sorted(f.name.split("-")[0] for f in cache.glob("*.npz")) == [
        "faq", "faq", "keys", "remit", "remit"]
    # Same content under another file name: loaded, not fitted.
    (kb_dir / "a.toml").rename(kb_dir / "b.toml")
    _fresh_process(monkeypatch)
    Matcher(read_kb(kb_dir), cache_dir=cache)
    assert fits.count == 4
    # One more example: fitted again, whatever the file's name or time stamp.
    (kb_dir / "b.toml").write_text(KB.replace('"ky quy"', '"ky quy", "tien coc"'), "utf-8")
    _fresh_process(monkeypatch)
    matcher = Matcher(read_kb(kb_dir), cache_dir=cache)
    assert fits.count == 8 and len(list(cache.glob("*.npz"))) == 5
    assert matcher.rank(matcher.key("tien coc"))[0].topic == "abroad.costs"


def test_a_remit_check_example_refits_only_the_remit_check(
    tmp_path: Path, fits: Fits, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb_dir, cache = tmp_path / "kb", tmp_path / "cache"
    kb_dir.mkdir()
    remit = '\n[remit_check]\nexamples = ["ho tro giong bo"]\n'
    (kb_dir / "a.toml").write_text(KB + remit, encoding="utf-8")
    Matcher(read_kb(kb_dir), cache_dir=cache)
    _fresh_process(monkeypatch)
    (kb_dir / "a.toml").write_text(KB + remit.replace('"]', '", "vay tien lam nha"]'), "utf-8")
    Matcher(read_kb(kb_dir), cache_dir=cache)
    # The topic classifier and its second opinion are loaded, the remit check refitted.
    assert fits.count == 4 + 2


def test_balanced_classes_change_the_key() -> None:
    plain = classifier_cache.cache_key(TEXTS, LABELS, regularisation=1.0)
    assert classifier_cache.cache_key(TEXTS, LABELS, regularisation=1.0, balanced=True) != plain
    assert classifier_cache.cache_key(TEXTS, LABELS, regularisation=1.0, balanced=False) == plain


def test_a_classifier_built_without_a_directory_is_saved_when_one_is_given(
    tmp_path: Path, fits: Fits
) -> None:
    load_or_fit(TEXTS, LABELS, regularisation=1.0, cache_dir=None, name="test")
    assert not _files(tmp_path)
    _load(tmp_path)
    assert fits.count == 1 and len(list(tmp_path.glob("test-*.npz"))) == 1


def test_a_classifier_another_process_is_fitting_is_waited_for_and_loaded(
    tmp_path: Path, fits: Fits, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Processes starting together share the fits: one skips what another is fitting, fits the
    rest, then waits for the other's and loads it (the other process is played here)."""
    mine = classifier_cache.Training("mine", TEXTS, LABELS, 1.0)
    theirs = classifier_cache.Training("theirs", TEXTS, LABELS, 2.0)
    their_fit = theirs.fit()
    assert fits.count == 1
    held = os.open(tmp_path / ".theirs.lock", os.O_RDWR | os.O_CREAT)
    built: list[list[Classifier]] = []
    fitted = threading.Event()
    counting = classifier.fit

    def signalling(*args: object, **kwargs: object) -> Classifier:
        found = counting(*args, **kwargs)  # type: ignore[arg-type]
        fitted.set()
        return found

    monkeypatch.setattr(classifier, "fit", signalling)
    worker = threading.Thread(daemon=True, target=lambda: built.append(
        classifier_cache.load_or_fit_all([theirs, mine], tmp_path)))
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        worker.start()
        assert fitted.wait(timeout=60), "it fitted its own while the other was fitting theirs"
        assert fits.count == 2 and not built
        path = tmp_path / f"theirs-{theirs.key()[:classifier_cache.KEY_CHARS]}.npz"
        classifier_cache._save(path, "theirs", theirs.key(), their_fit)
    finally:
        os.close(held)
    worker.join(timeout=60)
    ((loaded, _),) = built
    assert fits.count == 2, "the other process's classifier was loaded, not fitted again"
    assert np.array_equal(loaded.coef, their_fit.coef)
