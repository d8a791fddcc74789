"""Forms of the calendar pages: which view to show, and where a post was moved to."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django import forms

from .api_support import BadInput
from .calendar import VIEWS
from .models import Profile, ScheduledPost, Status
from .platforms import Platform
from .timeparse import BadTime, parse_instant


class CalendarQueryForm(forms.Form):
    view = forms.ChoiceField(choices=[(v, v.title()) for v in VIEWS], required=False)
    date = forms.DateField(required=False)
    platform = forms.ChoiceField(choices=[("", "All platforms"), *Platform.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    q = forms.CharField(required=False, max_length=200)

    def settings(self, today: date) -> tuple[str, date, dict]:
        """The view, its anchor day and the post filters; bad values fall back to the defaults."""
        data = self.cleaned_data if self.is_valid() else {}
        filters = {}
        if data.get("platform"):
            filters["platform"] = data["platform"]
        if data.get("status"):
            filters["status"] = data["status"]
        if data.get("q"):
            filters["caption__icontains"] = data["q"]
        return data.get("view") or "month", data.get("date") or today, filters


class MovePostForm(forms.Form):
    """A drop on a day keeps the post's local time of day; a drop on an hour keeps its minutes."""

    scheduled_time = forms.CharField(max_length=40)

    def __init__(self, *args, post: ScheduledPost, tz: ZoneInfo, now: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.post, self.tz, self.now = post, tz, now

    def clean_scheduled_time(self) -> datetime:
        value = self.cleaned_data["scheduled_time"].strip()
        current = self.post.scheduled_time.astimezone(self.tz)
        try:
            if len(value) == 10:  # a day: same time of day
                day = date.fromisoformat(value)
                value = datetime.combine(day, time(current.hour, current.minute)).isoformat(timespec="minutes")
            elif len(value) == 16 and value.endswith(":00"):  # an hour slot: keep the minutes
                value = value[:14] + f"{current.minute:02d}"
            moment = parse_instant(value, self.tz)
        except (ValueError, BadTime) as error:
            raise forms.ValidationError(str(error)) from None
        if moment <= self.now:
            raise forms.ValidationError("That time has passed; pick a time in the future.")
        return moment


def errors_by_field(problem: BadInput) -> dict[str, str]:
    """Where a validation message belongs on a page: the field its details name, else the form."""
    for key in problem.details:
        if key not in ("unknown", "allowed", "known"):
            return {"platforms" if key == "platform" else key: problem.message}
    return {"form": problem.message}


@cache
def _zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(available_timezones())]


class ProfileForm(forms.ModelForm):
    timezone = forms.ChoiceField(choices=_zone_choices, help_text="Calendar times and recommendations use it.")
    late_grace_minutes = forms.IntegerField(
        min_value=1,
        max_value=1440,
        label="Late-post grace period (minutes)",
        help_text="A post that could not go out within this long after its time is marked missed, not sent late.",
    )

    class Meta:
        model = Profile
        fields = ["timezone", "late_grace_minutes"]


class BlotatoKeyForm(forms.Form):
    api_key = forms.CharField(
        label="Blotato API key",
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def clean_api_key(self) -> str:
        key = self.cleaned_data["api_key"].strip()
        if not key.isascii() or any(c.isspace() or not c.isprintable() for c in key):
            raise forms.ValidationError("A Blotato key is one word of printable ASCII characters.")
        return key


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, initial="API token", label="Token name")
