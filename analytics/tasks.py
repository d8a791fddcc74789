"""Celery entry point of the learning loop: a doorway into harvest.py."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .harvest import harvest


@shared_task(name="analytics.harvest_engagement", ignore_result=True)
def harvest_engagement() -> str:
    return harvest(at=timezone.now()).line()
