from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

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


@register.filter
def make_list_of_words(text: str) -> list[str]:
    return text.split()
