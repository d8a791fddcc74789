"""Blotato's analytics reads: the published-post list and one published post's snapshots.

Analytics know a post by its published-post id, never by the postSubmissionId we get when we
create it, and no answer links the two except the post's URL (analytics/post_urls.py joins them).
Every field is optional and counts come as strings; what is absent stays absent (docs/blotato.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .blotato import BlotatoClient, Rejected, parse_time, path_segment, text_or_none
from .blotato_errors import BlotatoError

PAGE_SIZE = 100  # the most one page of published posts holds


class AnalyticsUnavailable(BlotatoError):
    """This key's plan has no analytics (or Blotato turned them off): not worth asking again."""


@dataclass(frozen=True)
class Snapshot:
    """Cumulative metrics as Blotato read them at `fetched_at`; the raw JSON object, unparsed."""

    fetched_at: datetime
    metrics: dict


@dataclass(frozen=True)
class PublishedPost:
    id: str
    platform: str
    post_url: str
    created_at: datetime | None
    snapshots: list[Snapshot] = field(default_factory=list)


def published_posts(
    client: BlotatoClient, *, offset: int = 0, platform: str | None = None
) -> tuple[list[PublishedPost], int | None]:
    """One page of the user's published posts, newest first, and the total Blotato says it has."""
    params: dict = {"sortBy": "newest", "offset": str(offset), "limit": str(PAGE_SIZE)}
    if platform:
        params["platform"] = "twitter" if platform == "x" else platform
    data = _unless_unavailable(client, "/published-posts", params)
    items = data.get("items") if isinstance(data.get("items"), list) else []
    count = data.get("count")
    total = count if isinstance(count, int) and not isinstance(count, bool) else None
    return [_published(item) for item in items if isinstance(item, dict) and item.get("id")], total


def post_snapshots(client: BlotatoClient, published_id: str) -> list[Snapshot] | None:
    """Every snapshot of one published post, oldest first; None while Blotato has none ("not yet").

    A 404 before the first checkpoint is normal. "Analytics not available" is about the key, not
    the post: AnalyticsUnavailable.
    """
    try:
        data = _unless_unavailable(client, f"/posts/{path_segment(published_id)}/analytics")
    except Rejected as refused:
        if refused.status == 404:
            return None
        raise
    history = _snapshots(data.get("history"))
    latest = parse_time(data.get("lastFetchedAt"))
    metrics = data.get("metrics")
    # The history may lack the latest reading; it is then only in `metrics` at `lastFetchedAt`.
    if latest and isinstance(metrics, dict) and metrics and all(s.fetched_at != latest for s in history):
        history.append(Snapshot(latest, metrics))
    return sorted(history, key=lambda snapshot: snapshot.fetched_at)


def _unless_unavailable(client: BlotatoClient, path: str, params=None) -> dict:
    """A read; a 404 "Analytics not available" (any analytics route) is about the key's plan."""
    try:
        return client.get(path, params)
    except Rejected as refused:
        if refused.status == 404 and "not available" in (refused.message or "").lower():
            raise AnalyticsUnavailable(refused.message, 404) from None
        raise


def _published(item: dict) -> PublishedPost:
    snapshots = _snapshots(item.get("metricsHistory"))
    latest = _snapshots([item.get("latestMetrics")])
    known = {s.fetched_at for s in snapshots}
    snapshots += [s for s in latest if s.fetched_at not in known]
    return PublishedPost(
        id=str(item["id"]),
        platform=str(item.get("platform") or ""),
        post_url=text_or_none(item.get("postUrl")) or "",
        created_at=parse_time(item.get("createdAt")),
        snapshots=sorted(snapshots, key=lambda snapshot: snapshot.fetched_at),
    )


def _snapshots(value: object) -> list[Snapshot]:
    """Readings with a time and a non-empty metrics object; anything else is not a reading."""
    found = []
    for entry in value if isinstance(value, list) else []:
        if not isinstance(entry, dict):
            continue
        fetched_at, metrics = parse_time(entry.get("fetchedAt")), entry.get("metrics")
        if fetched_at and isinstance(metrics, dict) and metrics:
            found.append(Snapshot(fetched_at, metrics))
    return found
