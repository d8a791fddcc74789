"""The schedule dialog reopened on a post: edit it (alone or with its cross-posts), or duplicate it.

An edit posts the dialog's fields, which are turned into the JSON API's PATCH body and checked by
the same `parse_edit`, so the page and `PATCH /api/publishing/calendar/{id}` accept and refuse the
same things. A duplicate is the new-post dialog filled in from the post: what it creates is a new
post (or draft), scheduled through the ordinary path.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from . import lifecycle
from .api_input import parse_edit
from .bad_input import BadInput
from .forms import errors_by_field
from .models import EDITABLE, ScheduledPost, SocialAccount, Status
from .platforms import RULES, Platform
from .schedule_dialog import dialog_done, dialog_options, option_from_form, render_dialog
from .zones import user_zone

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _owned_post(request, post_id) -> ScheduledPost:
    post = ScheduledPost.objects.owned_by(request.user).select_related("account", "clip").filter(pk=post_id).first()
    if post is None:
        raise Http404("No post with that id.")
    return post


@login_required
@require_http_methods(["GET", "POST"])
def edit_post(request, post_id):
    post = _owned_post(request, post_id)
    tz = user_zone(request.user)
    if request.method == "GET":
        if post.status not in EDITABLE:
            return _render_edit(request, post, _fields_of(post, tz), {"form": _not_editable(post.status)}, status=409)
        return _render_edit(request, post, _fields_of(post, tz), {})
    fields = request.POST
    try:
        edit = parse_edit(_as_edit_input(fields, post, tz), post, tz, now=timezone.now())
        if edit.apply_to_group:
            changed = lifecycle.edit_group(post, by=request.user, schedule=edit.schedule, **edit.fields)
        else:
            lifecycle.edit_post(post, by=request.user, schedule=edit.schedule, **edit.fields)
            changed = [post]
    except BadInput as problem:
        # 422 like the new-post dialog: the status htmx swaps, so the message lands beside its field.
        return _render_edit(request, post, fields, errors_by_field(problem), status=422)
    except lifecycle.WrongStatus as refused:
        return _render_edit(request, post, fields, {"form": _not_editable(refused.status)}, status=409)
    what = "Saved" if len(changed) == 1 else f"Saved on {len(changed)} platforms"
    if edit.schedule:
        what = "Scheduled" if len(changed) == 1 else f"Scheduled on {len(changed)} platforms"
    return dialog_done(request, f"{what}.", reverse("publishing:post_detail", args=[post.pk]))


@login_required
@require_GET
def duplicate_post(request, post_id):
    """The new-post dialog holding a copy of the post: change the date, platform or account, save."""
    post = _owned_post(request, post_id)
    tz = user_zone(request.user)
    fields = _fields_of(post, tz)
    fields.setlist("platforms", [post.platform])
    fields[f"options.{post.platform}.account_id"] = post.account.blotato_account_id
    if post.scheduled_time is None or post.scheduled_time <= timezone.now():
        fields["date"] = timezone.now().astimezone(tz).date().isoformat()  # the same time of day, today
    return render_dialog(request, fields, {}, title=f"Duplicate of a {Platform(post.platform).label} post")


def _render_edit(request, post: ScheduledPost, fields, errors: dict, status: int = 200):
    editing = {
        "post": post,
        "accounts": SocialAccount.objects.owned_by(request.user).filter(platform=post.platform, is_active=True),
        "siblings": ScheduledPost.objects.filter(group_id=post.group_id, status__in=EDITABLE)
        .exclude(pk=post.pk)
        .count(),
        "is_draft": post.status == Status.DRAFT,
    }
    return render_dialog(request, fields, errors, status, editing=editing)


def _not_editable(status: str) -> str:
    return f"This post is {status}: only scheduled posts and drafts can be edited. Nothing was changed."


def _fields_of(post: ScheduledPost, tz) -> QueryDict:
    """The dialog's fields as the post has them."""
    fields = QueryDict(mutable=True)
    fields["caption"] = post.caption
    fields["clip_id"] = str(post.clip_id) if post.clip_id else ""
    fields["account_id"] = post.account.blotato_account_id
    if post.scheduled_time:
        local = post.scheduled_time.astimezone(tz)
        fields["date"], fields["time"] = local.date().isoformat(), local.strftime("%H:%M")
    for name in dialog_options(post.platform):
        if name in post.options:
            spec = RULES[post.platform].target_fields[name]
            fields[f"options.{post.platform}.{name}"] = spec.to_form(post.options[name])
    return fields


def _as_edit_input(fields, post: ScheduledPost, tz) -> dict:
    """The dialog's fields in the shape of the API's PATCH body (see api_input.parse_edit).

    An unchanged time is left out, so saving a caption neither moves the post nor records a move.
    Options the dialog does not show (set through the API) are kept.
    """
    data: dict = {"caption": fields.get("caption", ""), "clip_id": fields.get("clip_id") or None}
    day, at = fields.get("date", ""), fields.get("time", "")
    if day and at:
        current = post.scheduled_time.astimezone(tz).strftime(LOCAL_MINUTE) if post.scheduled_time else ""
        if f"{day}T{at}" != current:
            data["scheduled_time"] = f"{day}T{at}"
    elif day or at:
        raise BadInput("Pick both a date and a time.", {"scheduled_time": "incomplete"})
    options = dict(post.options)
    for name in dialog_options(post.platform):
        value = fields.get(f"options.{post.platform}.{name}", "").strip()
        if value:
            options[name] = option_from_form(post.platform, name, value)
        else:
            options.pop(name, None)
    account_id = fields.get("account_id", "")
    if account_id and account_id != post.account.blotato_account_id:
        options["account_id"] = account_id
    data["options"] = options
    if "schedule" in fields:
        data["status"] = "scheduled"
    if "apply_to_group" in fields:
        data["apply_to_group"] = True
    return data
