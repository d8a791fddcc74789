"""The schedule dialog: pick a clip or write a text post, platforms, a time, and schedule it.

The dialog posts plain form fields; they are turned into the same structure the JSON API takes
and checked by the same `parse_schedule`, so the page and the API accept and refuse exactly the
same things. Refusals come back as the form again (422) with the message beside its field.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from analytics.harvest import learning_sources
from analytics.history import WINDOW_DAYS
from analytics.scheduling import best_shared_slot, engine_answer, free_slots

from . import queue, series
from .api_input import NEXT_SLOT, parse_schedule
from .bad_input import BadInput
from .forms import errors_by_field
from .models import Clip, SocialAccount
from .platforms import RULES, Platform, media_warnings, normalise_platform
from .search_query import search_text
from .zones import user_zone

CLIP_CHOICES = 8  # clips listed at a time; the search narrows them
CHIPS_PER_PLATFORM = 3


@login_required
@require_http_methods(["GET", "POST"])
def new_post(request):
    tz = user_zone(request.user)
    now = timezone.now()
    if request.method == "GET":
        day = _date_or(request.GET.get("date"), now.astimezone(tz).date())
        return render_dialog(request, {"date": max(day, now.astimezone(tz).date()).isoformat()}, {})
    fields = request.POST
    try:
        plan = parse_schedule(_as_api_input(fields), request.user, tz, now=now)
    except BadInput as problem:
        return render_dialog(request, fields, errors_by_field(problem), status=422)
    if plan.repeat:
        started, posts = series.start_series(request.user, plan, tz, now=now)
        message = _series_message(started, posts, tz)
    else:
        try:
            group_id, posts = queue.create_as_asked(request.user, plan, now=now)
        except BadInput as problem:  # an account without a free posting slot
            return render_dialog(request, fields, errors_by_field(problem), status=422)
        message = _done_message(posts, tz, queued=plan.queued, draft=plan.draft)
    first = min((p.scheduled_time for p in posts if p.scheduled_time), default=None)
    calendar_url = f"/calendar/?view=week&date={first.astimezone(tz).date().isoformat()}" if first else "/calendar/"
    return dialog_done(request, message, calendar_url)


def dialog_done(request, message: str, next_url: str):
    """The dialog's success: on the calendar, a note and a signal it redraws on; else a redirect.

    The same form is also a page of its own (the post page's Edit and Duplicate): there, htmx is
    told to go to `next_url`, as a plain form post is redirected.
    """
    if not request.htmx or _from_another_page(request):
        messages.success(request, message)
        if request.htmx:
            return HttpResponse(headers={"HX-Redirect": next_url})
        return redirect(next_url)
    response = render(request, "publishing/partials/_schedule_done.html", {"message": message})
    response["HX-Trigger"] = "posts-changed"  # the calendar redraws itself; the dialog closes
    return response


@login_required
@require_GET
def clip_choices(request):
    """The clip picker's list, narrowed by the search box; the chosen clip stays listed."""
    return render(
        request,
        "publishing/partials/_clip_choices.html",
        clip_context(request.user, search_text(request.GET, "clip_q"), request.GET.get("clip_id", "")),
    )


@login_required
@require_GET
def media_warnings_for(request):
    """What the chosen platforms may refuse of the chosen clip, shown before anything is scheduled."""
    clip = clip_context(request.user, "", request.GET.get("clip_id", ""))["chosen_clip"]
    warnings = [
        warning
        for platform in _platforms(request.GET.getlist("platforms"))
        for warning in media_warnings(clip, platform, {"mediaType": request.GET.get(f"options.{platform}.mediaType")})
    ]
    return render(request, "publishing/partials/_media_warnings.html", {"clip": clip, "warnings": warnings})


@login_required
@require_GET
def time_suggestions(request):
    """Optimal-time chips for the chosen date, per platform, and the best time they share."""
    tz = user_zone(request.user)
    now = timezone.now()
    today = now.astimezone(tz).date()
    day = _date_or(request.GET.get("date"), today)
    platforms = _platforms(request.GET.getlist("platforms"))
    context = {"day": day, "rows": [], "best": None, "past": day < today}
    if platforms and not context["past"]:
        slots = {}
        for platform in platforms:
            answer = engine_answer(request.user, platform, tz, now=now)
            slots[platform] = free_slots(request.user, platform, day, tz, answer, now=now)
            chips = slots[platform][:CHIPS_PER_PLATFORM]
            sources = learning_sources(request.user, platform, since=now - timedelta(days=WINDOW_DAYS))
            context["rows"].append(
                {
                    "label": Platform(platform).label,
                    "source": answer.source,
                    "chips": chips,
                    "sample": answer.sample_size,
                    "from_blotato": sources.from_blotato,
                }
            )
        context["best"] = best_shared_slot(slots)
    return render(request, "publishing/partials/_time_suggestions.html", context)


# --- pieces ------------------------------------------------------------------------------------


def _done_message(posts, tz, *, queued: bool, draft: bool) -> str:
    count = f"{len(posts)} post{'s' if len(posts) != 1 else ''}"
    if queued:
        placed = ", ".join(
            f"{Platform(p.platform).label} {p.scheduled_time.astimezone(tz):%a %-d %b %H:%M}" for p in posts
        )
        return f"Added {count} to the queue: {placed}."
    labels = ", ".join(Platform(p.platform).label for p in posts)
    local = posts[0].scheduled_time.astimezone(tz) if posts[0].scheduled_time else None
    when = f"for {local:%a %-d %b %Y, %H:%M}" if local else "with no time yet"
    return f"{'Saved as draft:' if draft else 'Scheduled'} {count} ({labels}) {when}."


def _series_message(started, posts, tz) -> str:
    description = series.rule_of(started).describe()
    occurrences = len({p.occurrence_index for p in posts})
    if not posts:
        return f"Repeating {description}. Its posts are created {settings.SERIES_HORIZON_DAYS} days ahead."
    first = min(p.scheduled_time for p in posts).astimezone(tz)
    return (
        f"Repeating {description}: {occurrences} occurrence{'s' if occurrences != 1 else ''} created so far, "
        f"the first {first:%a %-d %b %Y, %H:%M}."
    )


def _from_another_page(request) -> bool:
    page = request.htmx.current_url
    return bool(page) and urlsplit(page).path != reverse("publishing:calendar")


def _as_api_input(fields) -> dict:
    """The dialog's form fields in the JSON API's shape (see api_input.parse_schedule)."""
    platforms = fields.getlist("platforms")
    data: dict = {"platforms": platforms, "caption": fields.get("caption", "")}
    if fields.get("clip_id"):
        data["clip_id"] = fields["clip_id"]
    if "draft" in fields:
        data["status"] = "draft"
    if "publish_now" in fields and "draft" not in fields:
        data["publish_now"] = True
    elif "queue" in fields:  # "Add to queue": the date and time fields are not used
        data["scheduled_time"] = NEXT_SLOT
    elif fields.get("date") and fields.get("time"):
        data["scheduled_time"] = f"{fields['date']}T{fields['time']}"
    elif fields.get("date") or fields.get("time"):
        raise BadInput("Pick both a date and a time, or publish now.", {"scheduled_time": "incomplete"})
    if fields.get("repeat", "none") != "none":
        data["repeat"] = _repeat_input(fields)
    cover = fields.get("cover_frame_s", "").strip()
    if cover:
        try:
            data["cover_frame_s"] = float(cover)
        except ValueError:
            raise BadInput("The cover frame must be a number of seconds.", {"cover_frame_s": "not a number"}) from None
    options: dict = {}
    for platform in platforms:
        # account_id: offered when the user has more than one account on the platform.
        for name in (*dialog_options(platform), "account_id"):
            value = fields.get(f"options.{platform}.{name}", "").strip()
            if value:
                options.setdefault(platform, {})[name] = option_from_form(platform, name, value)
    if options:
        data["options"] = options
    return data


def _repeat_input(fields) -> dict:
    """The Repeat fieldset as the API's `repeat` object; repeat_input.parse_repeat checks it."""
    repeat: dict = {"frequency": fields["repeat"], "interval": _number_or_text(fields.get("repeat_interval") or "1")}
    if fields["repeat"] == "weekly" and fields.getlist("repeat_weekdays"):
        repeat["weekdays"] = [_number_or_text(day) for day in fields.getlist("repeat_weekdays")]
    ends = fields.get("repeat_ends", "never")
    if ends == "on":
        repeat["until"] = fields.get("repeat_until", "")
    elif ends == "after":
        repeat["count"] = _number_or_text(fields.get("repeat_count", ""))
    return repeat


def _number_or_text(value: str) -> int | str:
    """A whole number typed in a form, or the text as it came, for the API's check to name."""
    return int(value) if value.strip().isdigit() and len(value.strip()) < 7 else value


REPEAT_CHOICES = [("none", "Does not repeat"), ("daily", "Daily"), ("weekly", "Weekly"), ("monthly", "Monthly")]
WEEKDAY_CHOICES = list(enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")))


def render_dialog(request, fields, errors: dict, status: int = 200, *, editing: dict | None = None, title=""):
    """The dialog's form: a new post, or (with `editing`) the edit of one post of a group."""
    # The account each platform's post goes out on: the first active one, as parse_schedule picks;
    # when editing, the post's own.
    connected: dict[str, SocialAccount] = {}
    every: dict[str, list[SocialAccount]] = {}
    if editing:
        connected[editing["post"].platform] = editing["post"].account
    for account in SocialAccount.objects.owned_by(request.user).filter(is_active=True):
        connected.setdefault(account.platform, account)
        every.setdefault(account.platform, []).append(account)
    chosen = fields.getlist("platforms") if hasattr(fields, "getlist") else []
    platforms = [
        {
            "value": value,
            "label": label,
            "account": connected.get(value),
            # A choice of account in the new-post dialog (editing has its own select).
            "accounts": every.get(value, []) if not editing and len(every.get(value, [])) > 1 else [],
            "chosen_account": fields.get(f"options.{value}.account_id", ""),
            "checked": value in chosen,
            "limit": RULES[value].caption_limit,
            "measure": RULES[value].measure,
            "options": [_option(value, name, fields, connected.get(value)) for name in dialog_options(value)],
        }
        for value, label in Platform.choices
        if not editing or value == editing["post"].platform
    ]
    context = {
        "title": title or ("Edit post" if editing else "New post"),
        "editing": editing,
        "fields": fields,
        "errors": errors,
        "platforms": platforms,
        "timezone": user_zone(request.user).key,
        "repeat_choices": REPEAT_CHOICES,
        "weekday_choices": WEEKDAY_CHOICES,
        "repeat_errors": [message for key, message in errors.items() if key.startswith("repeat")],
        "weekdays_checked": fields.getlist("repeat_weekdays") if hasattr(fields, "getlist") else [],
        **clip_context(request.user, "", fields.get("clip_id", "")),
    }
    template = "publishing/partials/_schedule_form.html" if request.htmx else "publishing/schedule.html"
    return render(request, template, context, status=status)


def dialog_options(platform: str) -> tuple[str, ...]:
    # Form input may name a platform we do not know; parse_schedule refuses it with a message.
    rules = RULES.get(platform)
    return rules.dialog_options if rules else ()


def option_from_form(platform: str, name: str, text: str) -> object:
    """A dialog field's text as the API takes it: yes/no as a boolean, seconds as Blotato's ms.

    Unknown names pass through unchanged for parse_schedule/parse_edit to refuse with a message.
    """
    spec = RULES[platform].target_fields.get(name) if platform in RULES else None
    if spec is None:
        return text
    try:
        return spec.from_form(text)
    except ValueError as problem:
        where = f"options.{platform}.{name}"
        raise BadInput(f"{spec.label or where} {problem}.", {where: str(problem)}) from None


def _option(platform: str, name: str, fields, account: SocialAccount | None) -> dict:
    rules = RULES[platform]
    spec = rules.target_fields[name]
    key = f"options.{platform}.{name}"
    default = ""
    # The Page or board sync chose is shown, so the user sees where the post goes and can change it.
    if account and rules.destination and name == rules.destination.target_key:
        default = rules.destination.saved_on(account)
    choices = [(choice, choice.replace("_", " ").capitalize()) for choice in spec.choices]
    default_choice = rules.target_defaults.get(name, "")
    if spec.kind is bool:
        choices = [("true", "Yes"), ("false", "No")]
        default_choice = spec.to_form(default_choice) if name in rules.target_defaults else ""
    return {
        "name": key,
        "label": spec.label,
        "help": spec.help,
        "input_type": "number" if spec.kind is int else ("url" if spec.https_url else "text"),
        "choices": choices,
        "default_choice": default_choice,
        "value": fields.get(key, default),
    }


def clip_context(owner, query: str, chosen_id: str) -> dict:
    clips = Clip.objects.owned_by(owner)
    if query:
        clips = clips.filter(title__icontains=query)
    listed = list(clips[:CLIP_CHOICES])
    chosen = None
    if chosen_id:
        chosen = next((c for c in listed if str(c.pk) == chosen_id), None)
        if chosen is None:
            try:
                chosen = Clip.objects.owned_by(owner).filter(pk=chosen_id).first()
            except ValidationError:  # not a UUID: nothing chosen; parse_schedule names the problem
                chosen = None
            if chosen is not None:
                listed.insert(0, chosen)
    return {
        "clips": listed,
        "chosen_clip_id": str(chosen.pk) if chosen else "",
        "chosen_clip": chosen,
        "clip_query": query,
    }


def _platforms(names: list[str]) -> list[str]:
    platforms = []
    for name in names:
        platform = normalise_platform(name)
        if platform and platform not in platforms:
            platforms.append(platform)
    return platforms


def _date_or(value: str | None, fallback: date) -> date:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return fallback
    return day if abs(day - fallback) <= timedelta(days=366) else fallback
