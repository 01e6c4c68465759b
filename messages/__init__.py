"""User-facing text and the FAQ knowledge base, as data."""

from messages.catalog import MessageKeyError, has, load_strings, raw, t

__all__ = ["MessageKeyError", "has", "load_strings", "raw", "t"]
