"""Where uploaded files are kept: MEDIA_ROOT by default, an S3-style bucket with MEDIA_STORAGE=s3.

No real bucket is reached: the tests check the STORAGES Django is given, and that django-storages
builds its S3 backend from them without a network call.
"""

from __future__ import annotations

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.utils.module_loading import import_string

from mediaposter.settings import media_storages


def env_of(**values) -> environ.Env:
    reader = environ.Env()
    reader.ENVIRON = dict(values)
    return reader


def test_files_go_under_media_root_by_default(settings):
    assert media_storages("filesystem", env_of())["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert str(storages["default"].location) == str(settings.MEDIA_ROOT)


def test_s3_storage_is_built_from_the_bucket_settings():
    chosen = media_storages(
        "s3",
        env_of(
            MEDIA_S3_BUCKET="mediaposter-clips",
            MEDIA_S3_REGION="eu-west-3",
            MEDIA_S3_ENDPOINT_URL="https://s3.example.net",
            MEDIA_S3_ACCESS_KEY_ID="AKIAEXAMPLE",
            MEDIA_S3_SECRET_ACCESS_KEY="secret",
        ),
    )
    default = chosen["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"] == {
        "bucket_name": "mediaposter-clips",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        "region_name": "eu-west-3",
        "endpoint_url": "https://s3.example.net",
        "access_key": "AKIAEXAMPLE",
        "secret_key": "secret",
    }
    assert "staticfiles" in chosen
    backend = import_string(default["BACKEND"])(**default["OPTIONS"])  # no request is made here
    assert backend.bucket_name == "mediaposter-clips" and backend.default_acl == "private"


def test_s3_without_a_bucket_is_refused_at_start():
    with pytest.raises(ImproperlyConfigured, match="MEDIA_S3_BUCKET"):
        media_storages("s3", env_of())


def test_an_unknown_storage_is_refused_at_start():
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE must be 'filesystem' or 's3', not 'ftp'"):
        media_storages("ftp", env_of())
