"""The training texts' normalised keys on disk, beside the fitted classifiers.

Building a matcher reads every training text (about 14,000) into its key, about 1.5 s, even
when its classifiers load from the cache: most of a start. The keys are kept in ``CACHE_DIR``
under a name made of everything a key depends on besides its text: the code of
handlers/understanding and handlers/textnorm.py, the lexicon's content, the communes' names
and the Unicode version. Anything that could change a key changes the name (the old file is
removed), so a file is never stale; a text not in it (a new example) is read and the file
written again. Files are numpy ``.npz`` archives of two text arrays, read with
``allow_pickle=False``; a file that cannot be read is ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import numpy as np
from numpy.lib.npyio import NpzFile

import handlers.textnorm
import handlers.understanding
from handlers.understanding.classifier_cache import KEY_CHARS, load_arrays, save_arrays
from messages.lexicon import Lexicon

#: Bump when the layout of the file changes.
FORMAT = 1
NAME = "keys"


@cache
def _code() -> str:
    sources = sorted(Path(handlers.understanding.__file__).parent.glob("*.py"))
    digest = hashlib.sha256()
    for source in [*sources, Path(handlers.textnorm.__file__)]:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def version_of(lexicon: Lexicon, communes: Iterable[tuple[str, ...]]) -> str:
    """The hex SHA-256 of everything besides a text that its key depends on."""
    content = json.dumps(
        [FORMAT, _code(), unicodedata.unidata_version, dataclasses.asdict(lexicon),
         sorted(communes)],
        ensure_ascii=False, sort_keys=True, default=sorted)  # sets, in a fixed order
    return hashlib.sha256(content.encode()).hexdigest()


class KeyCache:
    """The keys of one version: those on disk, and those read now (``key``); ``save()``
    writes the file again if any text was read now."""

    def __init__(self, cache_dir: Path | None, version: str, read: Callable[[str], str]) -> None:
        self._path = (cache_dir / f"{NAME}-{version[:KEY_CHARS]}.npz"
                      if cache_dir is not None else None)
        self._read = read
        self._known = _load(self._path) if self._path is not None else {}
        self._used: dict[str, str] = {}
        self.read_now = 0

    def key(self, text: str) -> str:
        found = self._known.get(text)
        if found is None:
            found = self._read(text)
            self.read_now += 1
        self._used[text] = found
        return found

    def save(self) -> None:
        """Keep the keys used this time (a text no longer trained on is left out)."""
        if self._path is None or not self.read_now:
            return
        texts = list(self._used)
        save_arrays(self._path, f"{NAME}-{'?' * KEY_CHARS}.npz", {
            "texts": np.array(texts, dtype=np.str_),
            "keys": np.array([self._used[t] for t in texts], dtype=np.str_),
        })


def _load(path: Path) -> dict[str, str]:
    def build(data: NpzFile) -> dict[str, str]:
        texts, keys = data["texts"], data["keys"]
        if any(a.dtype.kind != "U" or a.ndim != 1 for a in (texts, keys)) or (
                texts.shape != keys.shape):
            raise ValueError("arrays are not two lists of texts of one length")
        return dict(zip(texts.tolist(), keys.tolist(), strict=True))

    return load_arrays(path, build) or {}
