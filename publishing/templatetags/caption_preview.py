from __future__ import annotations

from django import template

from publishing.caption_preview import SEE_MORE_AT

register = template.Library()


@register.filter
def see_more_at(platform: str) -> str:
    """The platform's "… more" point for the dialog's preview; empty when it shows the whole caption."""
    fold = SEE_MORE_AT.get(platform)
    return "" if fold is None else str(fold)
