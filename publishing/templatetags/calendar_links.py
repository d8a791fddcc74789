from __future__ import annotations

import json
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from publishing.calendar import CARD_CAPTION_CHARS

register = template.Library()


@register.simple_tag
def calendar_url(view: str, day, query) -> str:
    """A calendar URL keeping the filters; no day means today."""
    params = {"view": view}
    if day:
        params["date"] = day.isoformat()
    for name in ("platform", "status", "q"):
        if query and query.get(name):
            params[name] = query.get(name)
    return f"{reverse('publishing:calendar')}?{urlencode(params)}"


@register.simple_tag
def export_url(kind: str, grid, query) -> str:
    """The ICS or CSV download of the days on screen, with the same filters (calendar_export.py)."""
    params = {"start_date": grid.start.isoformat(), "end_date": f"{grid.end.isoformat()}T00:00"}
    for name in ("platform", "status", "q"):
        if query and query.get(name):
            params[name] = query.get(name)
    return f"{reverse(f'publishing:export_{kind}')}?{urlencode(params)}"


@register.simple_tag
def calendar_state(grid, query) -> str:
    """What a drop sends along with its slot, as JSON: the view, day and filters being looked at.

    Encoded, never pasted into JSON text, so a crafted filter value stays one string; the page
    escapes the result for its attribute.
    """
    state = {"view": grid.view, "date": grid.anchor.isoformat()}
    for name in ("platform", "status", "q"):
        state[name] = (query.get(name) if query else "") or ""
    return json.dumps(state)


@register.filter
def make_list_of_words(text: str) -> list[str]:
    return text.split()


# A card as calendars draw it: the platform's short label in its colour (the full name for
# screen readers and on hover), local time, the status as an icon and a word (never colour alone,
# never cut short), caption excerpt, and buttons that open the schedule dialog on it (edit, while
# it is editable; duplicate, always). Scheduled posts, drafts and missed posts can be dragged (a
# draft dropped on a day is scheduled there). Built here rather than with an {% include %} per
# card because a busy week holds hundreds of cards, and the include's per-card template machinery
# (context pushes, variable lookups, a reverse() per link) was most of the page's time
# (bench/calendar_page.py). The card is named for screen readers ("Twitter/X, 14:15, Scheduled")
# and its buttons say which post they act on; movable cards also have "Move…", the keyboard's
# (and any screen's) way to do what a drag does (calendar.js).
CARD = (
    '<article id="post-{0}" class="post-card status-{1} platform-{2}" aria-label="{5}, {8}, {10}"{3}>{15}'
    '<a href="{4}"><span class="platform" title="{5}"><span aria-hidden="true">{6}</span>'
    '<span class="visually-hidden">{5}</span></span>'
    '<time datetime="{7}">{8}</time><span class="status"><span class="icon" aria-hidden="true">{9}</span>'
    '<span class="status-word">{10}</span></span>'
    '<span class="caption">{11}</span>{13}{14}</a>{12}</article>'
)
# An occurrence of a recurring post (publishing/series.py) says so on its card.
REPEATS_MARK = mark_safe(
    '<span class="repeats" title="Repeats: one post of a series"><span aria-hidden="true">↻</span>'
    '<span class="visually-hidden">Repeats</span></span>'
)
THUMBNAIL = '<img class="clip-thumb" src="{}" alt="" width="40" height="40" loading="lazy" style="object-fit: cover">'

SHORT_LABELS = {
    "instagram": "IG",
    "tiktok": "TT",
    "youtube": "YT",
    "facebook": "FB",
    "twitter": "X",
    "linkedin": "in",
    "threads": "Th",
    "bluesky": "Bsky",
    "pinterest": "Pin",
}
STATUS_ICONS = {
    "draft": "✎",
    "scheduled": "◷",
    "publishing": "↻",
    "submitted": "↗",
    "verifying": "…",
    "published": "✓",
    "failed": "✕",
    "missed": "⌛",
    "needs_review": "⚠",
    "cancelled": "⊘",
}
DRAGGABLE = ' draggable="true" data-move-url="{}"'
# What a finger drags on a touch screen (shown only there, app.css); the rest of the card scrolls.
GRIP = '<span class="grip" aria-hidden="true" title="Drag to move">⋮</span>'
DIALOG_BUTTON = (
    '<button type="button" class="card-action {0}" hx-get="{1}" hx-target="#schedule-dialog-body" '
    'hx-swap="innerHTML" title="{2}" aria-label="{2} the {4} post, {5}">{3}</button>'
)
MOVE_BUTTON = (
    '<button type="button" class="card-action move" data-picker-url="{0}" data-current="{1}" '
    'title="Move to another day or time" aria-label="Move the {2} post, {3}" aria-haspopup="dialog">move…</button>'
)
MOVABLE = ("scheduled", "draft", "missed")
EDITABLE = ("scheduled", "draft")
URL_NAMES = ("post_detail", "move_post", "edit_post", "duplicate_post")
OTHER_URL_NAMES = ("clip_thumbnail",)


@register.simple_tag(takes_context=True)
def post_cards(context, posts) -> str:
    """The cards of one calendar cell."""
    if not posts:
        return ""
    urls = context.render_context.get("post_card_urls")
    if urls is None:
        # reverse() once per page, with a placeholder id, then fill in each post's id.
        urls = {name: reverse(f"publishing:{name}", args=[PLACEHOLDER]) for name in URL_NAMES}
        urls |= {name: reverse(name, args=[PLACEHOLDER]) for name in OTHER_URL_NAMES}
        context.render_context["post_card_urls"] = urls
    return format_html_join("", CARD, (_card_fields(post, urls) for post in posts))


PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
WAITING_FOR_MEDIA = "Scheduled, waiting for media upload"


def _waits_for_media(post) -> bool:
    return post.status == "scheduled" and getattr(post, "media_pending", False)


def _card_fields(post, urls: dict) -> tuple:
    pk = str(post.pk)
    draggable = format_html(DRAGGABLE, urls["move_post"].replace(PLACEHOLDER, pk)) if post.status in MOVABLE else ""
    local_time = getattr(post, "local_time", None)  # None: a draft with no time yet (the tray)
    label, when = post.get_platform_display(), local_time.strftime("%-d %b %H:%M") if local_time else "no time yet"
    buttons = format_html(
        DIALOG_BUTTON, "duplicate", urls["duplicate_post"].replace(PLACEHOLDER, pk), "Duplicate", "copy", label, when
    )
    if post.status in EDITABLE:
        edit = format_html(
            DIALOG_BUTTON, "edit", urls["edit_post"].replace(PLACEHOLDER, pk), "Edit", "edit", label, when
        )
        buttons = format_html("{}{}", edit, buttons)
    if post.status in MOVABLE:
        current = local_time.strftime("%Y-%m-%dT%H:%M") if local_time else ""
        move = format_html(MOVE_BUTTON, urls["move_post"].replace(PLACEHOLDER, pk), current, label, when)
        buttons = format_html("{}{}", move, buttons)
    return (
        pk,
        post.status,
        post.platform,
        draggable,
        urls["post_detail"].replace(PLACEHOLDER, pk),
        post.get_platform_display(),
        SHORT_LABELS[post.platform],
        local_time.isoformat() if local_time else "",
        local_time.strftime("%H:%M") if local_time else "no time",
        STATUS_ICONS[post.status],
        WAITING_FOR_MEDIA if _waits_for_media(post) else post.get_status_display(),
        Truncator(post.caption_excerpt).chars(CARD_CAPTION_CHARS),
        buttons,
        REPEATS_MARK if post.series_id else "",
        _thumbnail(post, urls),
        mark_safe(GRIP) if post.status in MOVABLE else "",  # a constant: nothing of the post in it
    )


def _thumbnail(post, urls: dict) -> str:
    """The clip's thumbnail, on the cards of views that fetched it (calendar.THUMBNAIL_VIEWS)."""
    if not getattr(post, "clip_thumbnail", None):
        return ""
    return format_html(THUMBNAIL, urls["clip_thumbnail"].replace(PLACEHOLDER, str(post.thumbnail_clip_id)))
