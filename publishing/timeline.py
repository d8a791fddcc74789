"""A post's story, told on its page: every change the publisher or a person made, in order.

`last_error` holds only the latest problem; the timeline keeps all of them (a lost answer, the
searches that followed, the user's decision), so nothing a later attempt does can erase what
happened before.
"""

from __future__ import annotations

from .models import PostEvent


def record(post_id, message: str, *, status: str = "", actor=None) -> None:
    PostEvent.objects.create(post_id=post_id, status=status, message=message[:4000], actor=actor)


def story(post) -> list[PostEvent]:
    return list(post.events.select_related("actor").order_by("at", "id"))
