"""What a post's change tells the outside world: its owner's notifications and webhook events.

The one place where a post arriving somewhere becomes news. transitions.move calls `moved` for
every change it records on the timeline (not the claim, not a claim handed back unused), and
lifecycle.schedule_posts calls `created` for new posts, both inside the change's transaction: a
notification or a webhook delivery exists exactly when the change it reports does.

| the post                                          | webhook event       | notification |
|---------------------------------------------------|---------------------|--------------|
| is created, or sent again by a person (retry)     | post.scheduled      |              |
| is moved or edited while scheduled                | post.updated        |              |
| is cancelled                                      | post.cancelled      |              |
| is live                                           | post.published      |              |
| fails / is missed / needs review                  | post.failed, ...    | yes          |

The publisher's own retry after a backoff (publishing -> scheduled) is not news.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import notifications, webhooks
from .models import ScheduledPost, Status

EVENT_OF_STATUS = {
    Status.CANCELLED: "post.cancelled",
    Status.PUBLISHED: "post.published",
    Status.FAILED: "post.failed",
    Status.MISSED: "post.missed",
    Status.NEEDS_REVIEW: "post.needs_review",
}
PUBLISHER_HELD = {Status.PUBLISHING, Status.VERIFYING}


def event_type(sources: Iterable[str], to: str) -> str | None:
    """The webhook event of a move from one of `sources` to `to`, if it is one."""
    if to != Status.SCHEDULED:
        return EVENT_OF_STATUS.get(to)
    sources = set(sources)
    if sources == {Status.SCHEDULED}:
        return "post.updated"
    if sources & PUBLISHER_HELD:
        return None
    return "post.scheduled"


def moved(post_id, sources: Iterable[str], to: str, why: str) -> None:
    event = event_type(sources, to)
    tells_owner = to in notifications.KIND_OF_POST_STATUS
    if event is None and not tells_owner:
        return
    post = ScheduledPost.objects.select_related("account").get(pk=post_id)
    if tells_owner:
        notifications.post_ended(post, why)
    if event:
        webhooks.post_event(post, event, why)


def created(posts: list[ScheduledPost]) -> None:
    scheduled = [post for post in posts if post.status == Status.SCHEDULED]  # a draft is news once scheduled
    # One question for the lot: a series' job or a bulk import creates thousands of posts at once,
    # for owners mostly without webhooks.
    listening = webhooks.listening_endpoints({post.owner_id for post in scheduled}, "post.scheduled")
    for post in scheduled:
        if post.owner_id in listening:
            webhooks.post_event(post, "post.scheduled", "Scheduled.", listening=listening[post.owner_id])
