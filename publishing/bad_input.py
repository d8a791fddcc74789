"""The refusal of input, shared by the JSON API and the pages that read the same fields."""

from __future__ import annotations


class BadInput(Exception):
    """Input we refuse, with a message for the person who sent it (HTTP 400 unless told)."""

    def __init__(self, message: str, details: dict | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        self.status = status
