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
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Sequence
from functools import cache
from importlib.metadata import version
from pathlib import Path

import numpy as np

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
    """The classifier of these inputs: from this process, from ``cache_dir``, or fitted now
    (and then saved in ``cache_dir``). ``name`` tells apart the classifiers sharing a directory;
    ``balanced``, ``margin`` and ``weights`` are passed to :func:`classifier.fit`."""
    key = cache_key(texts, labels, regularisation=regularisation, balanced=balanced,
                    margin=margin, weights=weights)
    path = cache_dir / f"{name}-{key[:KEY_CHARS]}.npz" if cache_dir is not None else None
    found = _built.get(key)
    fitted_now = False
    if found is None:
        found = _load(path, key) if path is not None else None
        if found is None:
            started = time.perf_counter()
            found = classifier.fit(texts, labels, regularisation=regularisation,
                                   balanced=balanced, margin=margin, weights=weights)
            fitted_now = True
            log.info("%s classifier fitted in %.1f s", name, time.perf_counter() - started)
        if len(_built) >= _MAX_BUILT:
            _built.clear()
        _built[key] = found
    if path is not None and (fitted_now or not path.is_file()):
        _save(path, name, key, found)
    return found


def _load(path: Path, key: str) -> Classifier | None:
    try:
        with np.load(path, allow_pickle=False) as data:
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
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("ignoring the unreadable classifier cache %s (%s): fitting again", path, exc)
        return None
    return found


def _save(path: Path, name: str, key: str, fitted: Classifier) -> None:
    arrays = {
        "key": np.array(key),
        "classes": np.array(fitted.classes, dtype=np.str_),
        "word_terms": np.array(fitted.words.terms, dtype=np.str_),
        "word_idf": fitted.words.idf,
        "char_terms": np.array(fitted.chars.terms, dtype=np.str_),
        "char_idf": fitted.chars.idf,
        "coef": fitted.coef,
        "intercept": fitted.intercept,
    }
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
        log.warning("cannot write the classifier cache %s (%s)", path, exc)
        return
    finally:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
    for old in path.parent.glob(f"{name}-{'?' * KEY_CHARS}.npz"):
        if old != path:
            try:
                old.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("cannot remove the old classifier cache %s (%s)", old, exc)
