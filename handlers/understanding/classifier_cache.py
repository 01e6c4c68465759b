"""Fitted classifiers on disk: trained once per knowledge-base version, loaded at every start.

The file name carries a key, the SHA-256 of everything that decides the fitted model: the
training texts and labels as given (so an edit of the knowledge base, the lexicon, the
normalisation or the training classes all show), the fit parameters, the source of
``classifier.py`` and the scikit-learn, SciPy and numpy versions. A file is therefore never
stale: anything that would change the model changes the name, and the old file is removed.

Files are numpy ``.npz`` archives read with ``allow_pickle=False`` (no code is unpickled),
written to a temporary file in the same directory and renamed, so a reader sees a whole file
or none. A file that cannot be read or whose arrays do not fit together is ignored and
replaced; a directory that cannot be written only costs the training time. Deleting the
directory is always safe.

A matcher fits four classifiers (about 35 s on a small machine). Each fit holds a lock of its
own in the directory, and a process skips a classifier another one is fitting and comes back
for it at the end: two processes starting together (the test workers, a command beside the
running bot) share the fits, about 20 s instead of 35 s each.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

import numpy as np
from numpy.lib.npyio import NpzFile

from handlers.understanding import classifier
from handlers.understanding.classifier import Block, Classifier

log = logging.getLogger(__name__)

#: Bump when the layout of the file changes.
FORMAT = 1
_LIBRARIES = ("scikit-learn", "scipy", "numpy")
#: Classifiers already built in this process (tests build the shipped one many times).
_built: dict[str, Classifier] = {}
_MAX_BUILT = 8
#: Hex digits of the key in the file name.
KEY_CHARS = 32
T = TypeVar("T")
try:
    import fcntl
except ImportError:  # not POSIX: no lock, processes starting together each fit
    fcntl = None  # type: ignore[assignment]


@cache
def _code_and_libraries() -> str:
    source = Path(classifier.__file__).read_bytes()
    versions = ",".join(f"{lib}={version(lib)}" for lib in _LIBRARIES)
    return f"{hashlib.sha256(source).hexdigest()};{versions}"


def cache_key(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    regularisation: float,
    balanced: bool = False,
    margin: bool = False,
    weights: Sequence[float] | None = None,
) -> str:
    """The key of the classifier these inputs fit (hex SHA-256)."""
    fit_parameters: list[object] = [regularisation, *(["balanced"] if balanced else []),
                                    *(["margin"] if margin else []),
                                    *([list(weights)] if weights is not None else [])]
    inputs = [FORMAT, _code_and_libraries(), *fit_parameters, list(labels), list(texts)]
    return hashlib.sha256(json.dumps(inputs, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class Training:
    """What one classifier is fitted on and how (the arguments of :func:`classifier.fit`);
    ``name`` tells apart the classifiers sharing a cache directory."""

    name: str
    texts: Sequence[str]
    labels: Sequence[str]
    regularisation: float
    balanced: bool = False
    margin: bool = False
    weights: Sequence[float] | None = None

    def key(self) -> str:
        return cache_key(self.texts, self.labels, regularisation=self.regularisation,
                         balanced=self.balanced, margin=self.margin, weights=self.weights)

    def fit(self) -> Classifier:
        started = time.perf_counter()
        fitted = classifier.fit(self.texts, self.labels, regularisation=self.regularisation,
                                balanced=self.balanced, margin=self.margin, weights=self.weights)
        log.info("%s classifier fitted in %.1f s", self.name, time.perf_counter() - started)
        return fitted

    def work(self) -> int:
        """A rough size of the fit, to start the longest first."""
        return len(self.texts) * (1 if self.margin else len(set(self.labels)))


def load_or_fit_all(trainings: Sequence[Training], cache_dir: Path | None) -> list[Classifier]:
    """The classifiers of these trainings, in order: from this process, from ``cache_dir``, or
    fitted now (and then saved in ``cache_dir``).

    Each fit holds that classifier's lock in the directory. A process that finds one being
    fitted by another goes on to the next and comes back for it at the end, so processes
    started together share the fits instead of each doing all of them."""
    keys = [t.key() for t in trainings]
    paths = [_path(cache_dir, t.name, key) for t, key in zip(trainings, keys, strict=True)]
    found = [_known(key, path) for key, path in zip(keys, paths, strict=True)]
    missing = sorted((i for i, f in enumerate(found) if f is None),
                     key=lambda i: trainings[i].work(), reverse=True)
    taken_elsewhere = []
    for i in missing:
        with _fitting(cache_dir, trainings[i].name, wait=False) as held:
            if held:
                found[i] = _known_or_fitted(trainings[i], keys[i], paths[i])
            else:
                taken_elsewhere.append(i)
    for i in taken_elsewhere:
        with _fitting(cache_dir, trainings[i].name, wait=True):
            found[i] = _known_or_fitted(trainings[i], keys[i], paths[i])
    results: list[Classifier] = []
    for training, key, path, result in zip(trainings, keys, paths, found, strict=True):
        assert result is not None
        if len(_built) >= _MAX_BUILT:
            _built.clear()
        _built[key] = result
        if path is not None and not path.is_file():  # built before without a directory
            _save(path, training.name, key, result)
        results.append(result)
    return results


def _known_or_fitted(training: Training, key: str, path: Path | None) -> Classifier:
    """Loaded if another process saved it meanwhile, else fitted now and saved."""
    found = _known(key, path)
    if found is None:
        found = training.fit()
        if path is not None:
            _save(path, training.name, key, found)
    return found


def load_or_fit(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    regularisation: float,
    cache_dir: Path | None,
    name: str,
    balanced: bool = False,
    margin: bool = False,
    weights: Sequence[float] | None = None,
) -> Classifier:
    """One classifier: :func:`load_or_fit_all` of one :class:`Training`."""
    training = Training(name, texts, labels, regularisation, balanced, margin, weights)
    return load_or_fit_all([training], cache_dir)[0]


def _path(cache_dir: Path | None, name: str, key: str) -> Path | None:
    return cache_dir / f"{name}-{key[:KEY_CHARS]}.npz" if cache_dir is not None else None


def _known(key: str, path: Path | None) -> Classifier | None:
    """Built in this process already, or saved in the cache directory."""
    found = _built.get(key)
    if found is None and path is not None:
        found = _load(path, key)
    return found


@contextlib.contextmanager
def _fitting(cache_dir: Path | None, name: str, *, wait: bool) -> Iterator[bool]:
    """Hold the lock of classifier ``name`` in the directory; yields whether it is held (without
    ``wait``, False when another process holds it). Without a directory or a way to lock, or
    when the lock file cannot be made, it counts as held: the fit is only done once more."""
    if cache_dir is None or fcntl is None:
        yield True
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        lock = os.open(cache_dir / f".{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        log.warning("cannot lock the classifier cache %s (%s)", cache_dir, exc)
        yield True
        return
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
        else:
            yield True
    finally:
        os.close(lock)  # closing the file releases the lock


def _load(path: Path, key: str) -> Classifier | None:
    def build(data: NpzFile) -> Classifier:
        if str(data["key"]) != key:
            raise ValueError("key differs")
        terms = [data["classes"], data["word_terms"], data["char_terms"]]
        if any(a.dtype.kind != "U" or a.ndim != 1 for a in terms):
            raise ValueError("term arrays are not text")
        found = Classifier(
            classes=tuple(data["classes"].tolist()),
            words=Block(tuple(data["word_terms"].tolist()), data["word_idf"]),
            chars=Block(tuple(data["char_terms"].tolist()), data["char_idf"]),
            coef=data["coef"],
            intercept=data["intercept"],
        )
        found.check()
        return found

    return load_arrays(path, build)


def load_arrays(path: Path, build: Callable[[NpzFile], T]) -> T | None:
    """``build`` of the arrays saved at ``path`` (read with ``allow_pickle=False``: no code is
    unpickled); None when there is no such file, or, logged, when it cannot be read or
    ``build`` finds its arrays wrong (raises ValueError or KeyError): a damaged cache file
    only costs making it again."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return build(data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("ignoring the unreadable cache file %s (%s): making it again", path, exc)
        return None


def _save(path: Path, name: str, key: str, fitted: Classifier) -> None:
    save_arrays(path, f"{name}-{'?' * KEY_CHARS}.npz", {
        "key": np.array(key),
        "classes": np.array(fitted.classes, dtype=np.str_),
        "word_terms": np.array(fitted.words.terms, dtype=np.str_),
        "word_idf": fitted.words.idf,
        "char_terms": np.array(fitted.chars.terms, dtype=np.str_),
        "char_idf": fitted.chars.idf,
        "coef": fitted.coef,
        "intercept": fitted.intercept,
    })


def save_arrays(path: Path, older: str, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` to ``path`` whole or not at all (a temporary file renamed), then remove
    the files of the directory matching the pattern ``older`` but ``path``: the versions it
    replaces. A directory that cannot be written is logged, not raised."""
    temp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            np.savez(out, **arrays)  # type: ignore[arg-type]
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
        temp = None
    except OSError as exc:
        log.warning("cannot write the cache file %s (%s)", path, exc)
        return
    finally:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
    for old in path.parent.glob(older):
        if old != path:
            try:
                old.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("cannot remove the old cache file %s (%s)", old, exc)
