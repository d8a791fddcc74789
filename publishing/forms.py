"""Forms of the calendar pages: which view to show, and where a post was moved to."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django import forms

from .calendar import VIEWS
from .models import ScheduledPost, Status
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
