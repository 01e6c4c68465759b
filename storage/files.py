"""Files users send, stored by content hash under FILES_DIR (never by the user's file name)."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path


class FileStore:
    """Content-addressed store: ``put`` returns the SHA-256; the same bytes are stored once."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256

    async def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        await asyncio.to_thread(self._write, digest, data)
        return digest

    def _write(self, digest: str, data: bytes) -> None:
        path = self.path_for(digest)
        if path.exists():
            # Stored again: its time renewed, so the sweep of unreferenced files
            # (storage/file_sweep.py) does not take a file that is in use again.
            os.utime(path)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # atomic: a reader never sees half a file

    async def get(self, sha256: str) -> bytes:
        return await asyncio.to_thread(self.path_for(sha256).read_bytes)

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()
