"""The Django admin for publishing: look at everything, change posts only through the lifecycle."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from . import lifecycle, pause
from .forms import check_new_time
from .models import (
    RETRYABLE,
    ApiToken,
    CalendarFeedToken,
    Clip,
    ImportJob,
    Notification,
    NotificationPreference,
    PostEvent,
    PostingSlot,
    Profile,
    PublishAttempt,
    PublishingPause,
    ScheduledPost,
    Series,
    SeriesSkip,
    SocialAccount,
    Status,
    WebhookDelivery,
    WebhookEndpoint,
)

ATTEMPT_FIELDS = (
    "number",
    "state",
    "claim_token",
    "started_at",
    "sent_at",
    "finished_at",
    "http_status",
    "submission_id",
    "error",
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the system: shown, never added or changed by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class PublishAttemptInline(admin.TabularInline):
    model = PublishAttempt
    fields = ATTEMPT_FIELDS
    readonly_fields = ATTEMPT_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class PostEditForm(forms.ModelForm):
    class Meta:
        model = ScheduledPost
        fields = ["caption", "scheduled_time"]

    def clean_scheduled_time(self):
        moment = self.cleaned_data["scheduled_time"]
        # The widget drops microseconds, so compare whole seconds: an unchanged due post still saves.
        before = self.instance.scheduled_time  # None for a draft with no time yet
        unchanged = before is not None and moment.replace(microsecond=0) == before.replace(microsecond=0)
        if self.instance.status == Status.SCHEDULED and not unchanged:
            check_new_time(moment, now=timezone.now())
        return moment

    def clean(self) -> dict:
        if self.has_changed() and self.instance.status != Status.SCHEDULED:
            raise forms.ValidationError(f"This post is {self.instance.status}; only scheduled posts can be edited.")
        return super().clean()


class PostEventInline(admin.TabularInline):
    """The post's story, read-only: what the publisher did and who decided what."""

    model = PostEvent
    fields = ("at", "status", "message", "actor")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ScheduledPost)
class ScheduledPostAdmin(admin.ModelAdmin):
    form = PostEditForm
    list_display = ("caption_excerpt", "platform", "owner", "status", "scheduled_time", "attempts")
    list_filter = ("status", "platform", "owner")
    list_select_related = ("owner",)
    search_fields = ("caption",)
    date_hierarchy = "scheduled_time"
    inlines = [PostEventInline, PublishAttemptInline]
    actions = ["retry_posts", "cancel_posts", "publish_now", "confirm_live", "send_after_review"]
    # Only caption and time are editable; status moves through the actions, so the dispatcher's
    # invariants (a lease for every publishing post, the attempt budget) hold.
    readonly_fields = (
        "owner",
        "group_id",
        "clip",
        "platform",
        "account",
        "options",
        "status",
        "last_error",
        "attempts",
        "attempts_at_retry",
        "claim_token",
        "lease_until",
        "next_attempt_at",
        "hinted_at",
        "unconfirmed_resends",
        "verify_until",
        "verify_searches",
        "blotato_submission_id",
        "platform_post_id",
        "platform_url",
        "submitted_at",
        "published_at",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # posts are created through the API and the calendar, where they are validated

    @admin.display(description="caption", ordering="caption")
    def caption_excerpt(self, post: ScheduledPost) -> str:
        text = post.caption or "(no caption)"
        return text if len(text) <= 60 else text[:59] + "…"

    def save_model(self, request: HttpRequest, post: ScheduledPost, form: forms.ModelForm, change: bool) -> None:
        # A plain save() would write back every column as loaded, undoing a claim the dispatcher
        # made meanwhile; edit_post changes only these fields, and only while still scheduled.
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if not changes:
            return
        try:
            lifecycle.edit_post(post, by=request.user, **changes)
        except lifecycle.WrongStatus as refused:
            self.message_user(request, f"Not saved: the post is now {refused.status}.", messages.ERROR)

    @admin.action(description="Retry selected posts")
    def retry_posts(self, request: HttpRequest, queryset: QuerySet[ScheduledPost]) -> None:
        retried, skipped = _each(queryset, lambda post: lifecycle.retry_post(post, at=timezone.now(), by=request.user))
        self.message_user(
            request, f"Retried {retried} post(s); skipped {skipped} that were not failed, missed or needs review."
        )

    @admin.action(description="Cancel selected posts")
    def cancel_posts(self, request: HttpRequest, queryset: QuerySet[ScheduledPost]) -> None:
        cancelled, skipped = _each(queryset, lambda post: lifecycle.cancel_post(post, by=request.user))
        self.message_user(request, f"Cancelled {cancelled} post(s); skipped {skipped} that were not scheduled.")

    @admin.action(description="Publish selected posts now")
    def publish_now(self, request: HttpRequest, queryset: QuerySet[ScheduledPost]) -> None:
        queued = skipped = 0
        for post in queryset:
            try:
                if post.status == Status.SCHEDULED:
                    # Due now: the next dispatch sweep (within seconds) claims and sends it.
                    lifecycle.edit_post(post, scheduled_time=timezone.now(), by=request.user)
                elif post.status in RETRYABLE:
                    lifecycle.retry_post(post, at=timezone.now(), by=request.user)
                else:
                    skipped += 1
                    continue
                queued += 1
            except lifecycle.WrongStatus:
                skipped += 1
        self.message_user(
            request, f"Queued {queued} post(s) to publish now; skipped {skipped} already publishing or settled."
        )

    @admin.action(description="It is live: mark selected unconfirmed posts as published")
    def confirm_live(self, request: HttpRequest, queryset: QuerySet[ScheduledPost]) -> None:
        self._decide(request, queryset, lambda post: lifecycle.confirm_live(post, by=request.user), "marked published")

    @admin.action(description="It is not there: send selected unconfirmed posts again")
    def send_after_review(self, request: HttpRequest, queryset: QuerySet[ScheduledPost]) -> None:
        def send(post: ScheduledPost) -> None:
            lifecycle.send_after_review(post, at=timezone.now(), by=request.user)

        self._decide(request, queryset, send, "sent again")

    def _decide(self, request: HttpRequest, queryset, decide, done: str) -> None:
        """A person's verdict on posts that need review; any other post is left alone."""
        decided, skipped = _each(queryset, decide)
        self.message_user(request, f"{decided} post(s) {done}; skipped {skipped} that did not need review.")


def _each(queryset, change) -> tuple[int, int]:
    """Apply a lifecycle change to every selected post: (changed, skipped for their status)."""
    changed = skipped = 0
    for post in queryset:
        try:
            change(post)
            changed += 1
        except lifecycle.WrongStatus:
            skipped += 1
    return changed, skipped


@admin.register(PublishAttempt)
class PublishAttemptAdmin(ReadOnlyAdmin):
    list_display = ("post", "number", "state", "started_at", "http_status", "submission_id")
    list_filter = ("state",)
    list_select_related = ("post",)
    search_fields = ("submission_id", "post__id")
    fields = ("post", *ATTEMPT_FIELDS)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the audit trail and the duplicate-send guard


@admin.register(PostEvent)
class PostEventAdmin(ReadOnlyAdmin):
    list_display = ("post", "at", "status", "message", "actor")
    list_filter = ("status",)
    list_select_related = ("post", "actor")
    search_fields = ("post__id", "message")
    fields = ("post", "at", "status", "message", "actor")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the post's story


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "duration_s", "hosting_state", "created_at")
    list_filter = ("owner", "hosting_state")
    search_fields = ("title",)
    # An uploaded file and its facts come only through the upload (checked, deduplicated, described).
    # Hosting on Blotato (media_hosting.py): the state and error stay editable, so an operator can
    # send a failed clip again (state "waiting"); the claim's bookkeeping is the job's own.
    readonly_fields = (
        "created_at",
        "file",
        "content_hash",
        "content_type",
        "size_bytes",
        "width",
        "height",
        "thumbnail",
        "facts_note",
        "hosting_token",
        "hosting_lease_until",
        "hosted_at",
        "cover_of",
        "cover_at_s",
    )
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # clip URLs are https only


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = ("__str__", "platform", "name", "owner", "is_active", "synced_at")
    list_filter = ("platform", "owner", "is_active")
    search_fields = ("username", "name", "blotato_account_id")
    readonly_fields = ("synced_at",)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    # The Blotato key never reaches a page: not in the form, not decrypted for the list.
    exclude = ("blotato_api_key",)
    list_display = ("user", "timezone", "late_grace_minutes", "queue_gap_minutes", "has_blotato_key")
    search_fields = ("user__username",)
    readonly_fields = ("user", "has_blotato_key")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Profile]:
        key_set = ExpressionWrapper(~Q(blotato_api_key=""), output_field=BooleanField())
        return super().get_queryset(request).defer("blotato_api_key").annotate(key_set=key_set)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # every user gets one on creation (signals.py)

    @admin.display(boolean=True, description="Blotato key set")
    def has_blotato_key(self, profile: Profile) -> bool:
        return profile.key_set


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    # Deleting stays allowed: it is how a leaked token is revoked.
    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    search_fields = ("user__username", "name", "prefix")
    fields = ("user", "name", "prefix", "created_at", "last_used_at")


@admin.register(PostingSlot)
class PostingSlotAdmin(admin.ModelAdmin):
    list_display = ("account", "weekday", "local_time")
    list_filter = ("weekday", "account__platform")
    list_select_related = ("account",)
    search_fields = ("account__username", "account__owner__username")


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(ReadOnlyAdmin):
    # Deleting stays allowed: it revokes the subscription URL.
    list_display = ("user", "prefix", "created_at", "last_used_at")
    search_fields = ("user__username", "prefix")
    fields = ("user", "prefix", "created_at", "last_used_at")


@admin.register(PublishingPause)
class PublishingPauseAdmin(admin.ModelAdmin):
    """Pause publishing (leave the user empty for the whole install); resume with the action.

    Both go through pause.py, so resuming applies the late-post rule to what the pause held.
    """

    list_display = ("__str__", "owner", "started_at", "started_by", "ended_at", "ended_by")
    list_filter = (("ended_at", admin.EmptyFieldListFilter),)
    list_select_related = ("owner",)
    search_fields = ("owner__username",)
    actions = ["resume_publishing"]

    def get_fields(self, request: HttpRequest, obj=None):
        return ("owner",) if obj is None else ("owner", "started_at", "started_by", "ended_at", "ended_by")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # ending a pause goes through the action; the rows are the pauses' record

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "owner" in form.base_fields:
            form.base_fields["owner"].help_text = "Leave empty to pause every post of this installation."
        return form

    def save_model(self, request: HttpRequest, obj: PublishingPause, form, change: bool) -> None:
        saved = pause.pause(obj.owner, by=f"{request.user.get_username()} (admin)")
        obj.pk, obj.started_at, obj.started_by = saved.pk, saved.started_at, saved.started_by

    @admin.action(description="Resume publishing (end the selected pauses)")
    def resume_publishing(self, request: HttpRequest, queryset: QuerySet[PublishingPause]) -> None:
        resumed = missed = 0
        for paused in queryset.open().select_related("owner"):
            outcome = pause.resume(paused.owner, by=f"{request.user.get_username()} (admin)")
            resumed += outcome.was_paused
            missed += outcome.missed
        self.message_user(
            request,
            f"Resumed {resumed} pause(s); {missed} post(s) were too late and are now missed.",
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "created_at", "in_app", "read_at", "email_due", "emailed_at")
    list_filter = ("kind", "in_app", "email_due")
    list_select_related = ("user",)
    search_fields = ("user__username", "message")
    fields = ("user", "kind", "message", "post", "created_at", "in_app", "read_at", "email_due", "emailed_at")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "in_app", "email")
    search_fields = ("user__username",)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    # The signing secret never reaches a page; an operator can switch an endpoint off or on.
    exclude = ("secret",)
    list_display = ("url", "owner", "is_active", "consecutive_failures", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "owner__username")
    readonly_fields = ("owner", "consecutive_failures", "created_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # webhook URLs are https

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookEndpoint]:
        return super().get_queryset(request).defer("secret")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by users, who are shown the secret once


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event_type", "event_id", "endpoint", "state", "attempts", "last_status_code", "created_at")
    list_filter = ("state", "event_type")
    list_select_related = ("endpoint",)
    search_fields = ("event_id", "endpoint__url")
    fields = (
        "endpoint",
        "event_id",
        "event_type",
        "state",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_status_code",
        "last_response",
        "last_error",
        "delivered_at",
        "payload",
    )


class SeriesSkipInline(admin.TabularInline):
    model = SeriesSkip
    fields = ("first_index", "last_index", "first_time", "last_time", "platform", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Series)
class SeriesAdmin(ReadOnlyAdmin):
    """Shown only: a series changes through its page or the API, so its posts change with it."""

    list_display = ("pk", "owner", "frequency", "interval", "start_day", "local_time", "timezone", "paused", "ended_at")
    list_filter = ("frequency", "paused")
    search_fields = ("owner__username", "caption")
    inlines = [SeriesSkipInline]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # ending a series cancels its future posts: the Series page or the API does it


@admin.register(SeriesSkip)
class SeriesSkipAdmin(ReadOnlyAdmin):
    list_display = ("series", "first_index", "last_index", "first_time", "platform", "reason")


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """Shown only: an import is checked and committed by its page, the API or `import_posts`."""

    list_display = ("created_at", "owner", "file_name", "kind", "state", "rows_total", "rows_done", "posts_created")
    list_filter = ("state", "kind")
    search_fields = ("owner__username", "file_name")
    exclude = ("content",)  # the whole file: thousands of lines of the user's captions
