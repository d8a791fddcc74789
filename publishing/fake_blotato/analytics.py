"""The analytics routes: one published post's readings, the published-post list, the top posts,
and (behind a knob) per-platform and overall sums. The numbers come from engagement.py.

Analytics know a post by its published-post id (the `id` GET /v2/posts lists), never by its
postSubmissionId, and no answer links the two. LinkedIn posts are listed but never read: asking
for their analytics answers "not yet synced" forever.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import engagement
from .engagement import ANALYTICS_KNOBS, SORT_FIELDS, Reading
from .records import Submission, iso
from .replies import Call, Reply, bad_request, not_found, ok
from .validation import SOCIAL_PLATFORMS, parse_time

MAX_LIMIT = 100
DEFAULT_WINDOW_S = 30 * engagement.DAY


@dataclass(frozen=True)
class View:
    """One consistent look at the user's published posts and the analytics knobs."""

    knobs: dict
    now: float
    published: list[Submission]  # oldest first

    def shown(self, post: Submission) -> list[Reading]:
        """The readings as the API shows them: emptied when collection fails on this platform."""
        found = engagement.readings(self.knobs, post, self.now)
        if engagement.empties(self.knobs, post.platform):
            return [Reading(r.fetched_at, {}) for r in found]
        return found

    def history(self, shown: list[Reading]) -> list[dict]:
        kept = shown[:-1] if self.knobs["analytics_history_omits_latest"] else shown
        return [r.as_dict() for r in kept]

    def item(self, post: Submission) -> dict:
        shown = self.shown(post)
        return {
            "id": post.listing_id,
            "platform": post.platform,
            "postUrl": post.public_url,
            "createdAt": iso(post.settles_at()),
            "content": post.text,
            "latestMetrics": shown[-1].as_dict() if shown else None,
            "metricsHistory": self.history(shown),
        }


def _view(call: Call) -> View:
    state = call.state
    with state.lock:
        now = state.now()
        knobs = {name: state.knob(name) for name in ANALYTICS_KNOBS}
        published = [s for s in state.submissions(call.data.user_id) if s.status(now) == "published"]
    return View(knobs, now, published)


def _unavailable() -> Reply:
    return Reply(404, {"message": "Analytics not available"})


# --- routes ------------------------------------------------------------------------------------


def post_analytics(call: Call) -> Reply:
    view = _view(call)
    if view.knobs["analytics_disabled"]:
        return _unavailable()
    post = next((s for s in view.published if s.listing_id == call.params["id"]), None)
    if post is None:  # unknown, another user's, unpublished, or a postSubmissionId
        return Reply(404, {"message": "Not found"})
    shown = view.shown(post)
    if not shown:
        return Reply(404, {"message": view.knobs["analytics_not_synced_message"]})
    failed = engagement.empties(view.knobs, post.platform)
    return ok(
        {
            "metrics": dict(shown[-1].metrics),
            "history": view.history(shown),
            "lastFetchedAt": iso(shown[-1].fetched_at),
            "lastError": f"Could not collect metrics from {post.platform}" if failed else None,
        }
    )


def published_posts(call: Call) -> Reply:
    """Offset-paged, with the total count; filters on text and platform."""
    view = _view(call)
    if view.knobs["analytics_disabled"]:
        return _unavailable()
    sort_by, platform, text = call.arg("sortBy", "newest"), call.arg("platform"), call.arg("query")
    if sort_by not in ("newest", "oldest"):
        return bad_request("querystring/sortBy must be equal to one of the allowed values")
    if platform is not None and platform not in SOCIAL_PLATFORMS:
        return bad_request("querystring/platform must be equal to one of the allowed values")
    limit, offset = call.arg("limit", "20"), call.arg("offset", "0")
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        return bad_request(f"querystring/limit must be an integer from 1 to {MAX_LIMIT}")
    if not offset.isdigit():
        return bad_request("querystring/offset must be an integer >= 0")
    found = [
        (post.settles_at(), order, post)
        for order, post in enumerate(view.published)
        if (not platform or post.platform == platform) and (not text or text.casefold() in post.text.casefold())
    ]
    found.sort(key=lambda entry: entry[:2], reverse=sort_by == "newest")
    page = found[int(offset) : int(offset) + int(limit)]
    return ok({"items": [view.item(post) for _, _, post in page], "count": len(found)})


def top_posts(call: Call) -> Reply:
    """Posts published in the window, best first by the sortBy count; at most 100, no cursor."""
    view = _view(call)
    if view.knobs["analytics_disabled"]:
        return _unavailable()
    window = _window(call, view)
    if isinstance(window, Reply):
        return window
    sort_by, limit = call.arg("sortBy", "views_count"), call.arg("limit", "20")
    if sort_by not in SORT_FIELDS:
        return bad_request("querystring/sortBy must be equal to one of the allowed values")
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        return bad_request(f"querystring/limit must be an integer from 1 to {MAX_LIMIT}")
    items = [view.item(post) for post in _in_window(view, *window)]
    items.sort(key=lambda item: (_latest_value(item, sort_by), item["createdAt"]), reverse=True)
    return ok({"items": items[: int(limit)]})


def by_platform(call: Call) -> Reply:
    """Unverified shape: Blotato names this route but documents nothing of it."""
    found = _extra_route_posts(call)
    if isinstance(found, Reply):
        return found
    view, posts = found
    platforms = sorted({post.platform for post in posts})
    return ok({"items": [{"platform": p, **_summed(view, [s for s in posts if s.platform == p])} for p in platforms]})


def summary(call: Call) -> Reply:
    """Unverified shape, as for by_platform."""
    found = _extra_route_posts(call)
    if isinstance(found, Reply):
        return found
    view, posts = found
    return ok(_summed(view, posts))


def _extra_route_posts(call: Call) -> tuple[View, list[Submission]] | Reply:
    """The published posts in the asked window, or the refusal the two unverified routes share."""
    view = _view(call)
    if view.knobs["analytics_disabled"]:
        return _unavailable()
    if not view.knobs["analytics_extra_routes"]:
        return not_found()
    window = _window(call, view)
    if isinstance(window, Reply):
        return window
    return view, _in_window(view, *window)


# --- helpers -----------------------------------------------------------------------------------


def _window(call: Call, view: View) -> tuple[float, float] | Reply:
    """since/until on the publish time; by default the last 30 days."""
    bounds = []
    for name, default in (("since", view.now - DEFAULT_WINDOW_S), ("until", view.now)):
        value = call.arg(name)
        moment = parse_time(value) if value is not None else None
        if value is not None and moment is None:
            return bad_request(f'querystring/{name} must match format "date-time"')
        bounds.append(moment.timestamp() if moment else default)
    return bounds[0], bounds[1]


def _in_window(view: View, since: float, until: float) -> list[Submission]:
    return [post for post in view.published if since <= post.settles_at() <= until]


def _latest_value(item: dict, sort_by: str) -> int:
    latest = item["latestMetrics"]
    return engagement.sort_value(latest["metrics"], sort_by) if latest else -1


def _summed(view: View, posts: list[Submission]) -> dict:
    """Each count summed over the posts' latest readings, as strings (ratios left out)."""
    totals: dict[str, int] = {}
    for post in posts:
        shown = view.shown(post)
        for name, value in (shown[-1].metrics if shown else {}).items():
            if isinstance(value, str) and value.isdigit():
                totals[name] = totals.get(name, 0) + int(value)
    return {name: str(total) for name, total in sorted(totals.items())}
