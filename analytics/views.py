"""The analytics page: heatmap, best slots and the CSV import form."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from publishing.platforms import Platform, normalise_platform
from publishing.zones import user_zone

from . import heatmap, importers
from .harvest import learning_sources
from .history import WINDOW_DAYS
from .scheduling import engine_answer

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@login_required
@require_http_methods(["GET", "POST"])
def analytics_page(request, platform: str = "instagram"):
    platform = normalise_platform(platform) or ""
    if not platform:
        raise Http404("Unknown platform.")
    if request.method == "POST":
        _import_upload(request)
        return redirect("analytics:platform", platform=platform)
    tz = user_zone(request.user)
    answer = engine_answer(request.user, platform, tz, now=timezone.now())
    return render(
        request,
        "analytics/heatmap.html",
        {
            "platform": platform,
            "platforms": Platform.choices,
            "answer": answer,
            "cells": heatmap.cells(answer.slot_scores, answer.slot_counts),
            "legend": heatmap.legend(),
            "hours": range(0, 24, 3),
            "days": heatmap.DAY_NAMES,
            "cell": heatmap.CELL,
            "best_days": [heatmap.DAY_NAMES[d] for d in answer.best_days],
            "summary": heatmap.in_words(answer.sample_size, answer.source, WINDOW_DAYS),
            "sources": learning_sources(request.user, platform, since=timezone.now() - timedelta(days=WINDOW_DAYS)),
            "timezone": tz.key,
        },
    )


def _import_upload(request) -> None:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a CSV file to import.")
        return
    if upload.size > MAX_UPLOAD_BYTES:
        messages.error(request, "The file is larger than 10 MB; split it and import the parts.")
        return
    try:
        rows = importers.rows_from_csv(upload.read().decode("utf-8-sig"))
        result = importers.import_metrics(request.user, rows, user_zone(request.user))
    except UnicodeDecodeError:
        messages.error(request, "The file is not UTF-8 text.")
    except importers.BadRows as bad:
        details = "; ".join(
            f"row {n}: " + ", ".join(f"{k} {v}" for k, v in errors.items())
            for n, errors in sorted(bad.problems.items())[:5]
        )
        messages.error(request, f"{bad} {details}")
    else:
        kept = f"; {result.already_harvested} already known from Blotato" if result.already_harvested else ""
        messages.success(request, f"Imported {result.imported} new and updated {result.updated} rows{kept}.")
