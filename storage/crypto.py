"""Encryption at rest of phone and citizen id numbers (Fernet: AES-128-CBC + HMAC-SHA256).

The key comes from the ENCRYPTION_KEY setting (``Fernet.generate_key()``; several keys separated
by commas rotate: the first encrypts, all decrypt). Production refuses to start without one.
Development, the console and tests use :data:`DEV_KEY`, derived from a fixed phrase: it is the
same in every process, so a second simulator run (or ``cases export``) can read what the first
stored, and it is public, so data encrypted with it is only as safe as the database file.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from messages import t

DEV_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"hamyen-labour-bot development key, not a secret").digest()
).decode("ascii")

PRODUCTION = "production"


class KeyConfigError(ValueError):
    """The encryption key setting is missing (in production) or malformed; one-line message."""


class DecryptError(ValueError):
    """A stored value was encrypted with a key we no longer have, or was altered."""


def resolve_key(key: str, environment: str) -> str:
    """The key to use: the configured one (checked), or the development key outside production."""
    key = key.strip()
    if not key:
        if environment.strip().lower() == PRODUCTION:
            raise KeyConfigError(t("cli.key_missing"))
        return DEV_KEY
    try:
        _fernets(key)
    except (ValueError, TypeError):
        raise KeyConfigError(t("cli.key_malformed")) from None
    return key


@cache
def _fernets(key: str) -> MultiFernet:
    return MultiFernet([Fernet(part.strip().encode("ascii")) for part in key.split(",")])


class Cipher:
    """Encrypts and decrypts short strings with the configured key ("" = development key)."""

    def __init__(self, key: str = "") -> None:
        self._fernet = _fernets(key.strip() or DEV_KEY)

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise DecryptError("cannot decrypt a stored value with the configured key") from None

    def decrypt_opt(self, token: str | None) -> str | None:
        return self.decrypt(token) if token else None
