"""Encrypts secrets at rest (users' Blotato keys) with Fernet; several keys allow rotation."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k.strip()]
    if not configured:
        # No dedicated key: derive one from SECRET_KEY so a local install works out of the box.
        digest = hashlib.sha256(("field-encryption:" + settings.SECRET_KEY).encode()).digest()
        configured = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k) for k in configured])  # the first key encrypts; all decrypt


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token; empty stays empty."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return _fernet().decrypt(value.encode()).decode()
        except InvalidToken as error:
            raise ValueError("a stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY") from error

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return _fernet().encrypt(value.encode()).decode()
