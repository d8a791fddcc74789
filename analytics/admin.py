"""The Django admin for analytics: imported and linked post metrics."""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from .models import PostMetric


@admin.register(PostMetric)
class PostMetricAdmin(admin.ModelAdmin):
    list_display = ("platform", "owner", "posted_at", "views", "likes", "comments", "shares", "saves")
    list_filter = ("platform", "owner")
    date_hierarchy = "posted_at"
    search_fields = ("post_url",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    raw_id_fields = ("post",)  # a select of every post ever scheduled would be huge
