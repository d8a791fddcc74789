"""The Django admin for analytics: post metrics (imported or harvested) and the harvest's records."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from .models import EngagementSnapshot, HarvestedPost, HarvestStatus, PostMetric


@admin.register(PostMetric)
class PostMetricAdmin(admin.ModelAdmin):
    list_display = ("platform", "owner", "posted_at", "source", "views", "likes", "comments", "shares", "saves")
    list_filter = ("platform", "source", "owner")
    date_hierarchy = "posted_at"
    search_fields = ("post_url",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    raw_id_fields = ("post",)  # a select of every post ever scheduled would be huge


class HarvestRecordAdmin(admin.ModelAdmin):
    """Written by the harvest only: shown, never added or changed by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(EngagementSnapshot)
class EngagementSnapshotAdmin(HarvestRecordAdmin):
    list_display = ("published_id", "platform", "owner", "fetched_at", "stored_at")
    list_filter = ("platform",)
    search_fields = ("published_id", "post__id")
    list_select_related = ("owner",)


@admin.register(HarvestedPost)
class HarvestedPostAdmin(HarvestRecordAdmin):
    list_display = ("post", "published_id", "searches", "last_asked_at", "complete")
    list_filter = ("complete",)
    search_fields = ("published_id", "post__id")


@admin.register(HarvestStatus)
class HarvestStatusAdmin(HarvestRecordAdmin):
    list_display = ("user", "last_run_at", "problem")
    fields = ("user", "last_run_at", "problem")  # not the key's fingerprint
