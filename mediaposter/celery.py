"""The Celery app: `celery -A mediaposter worker|beat`. Configuration lives in settings (CELERY_*)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediaposter.settings")

app = Celery("mediaposter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
