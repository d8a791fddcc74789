"""Forms of the calendar pages: which view to show, and where a post was moved to."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django import forms

from .api_input import IN_THE_PAST, TOO_FAR_AHEAD, schedule_window_problem
from .bad_input import BadInput
from .calendar import VIEWS
from .models import Profile, ScheduledPost, Status
from .platforms import Platform
from .timeparse import BadTime, check_supported_year, parse_date, parse_instant
from .zones import UnknownZone, offered_zone


class CalendarQueryForm(forms.Form):
    view = forms.ChoiceField(choices=[(v, v.title()) for v in VIEWS], required=False)
    date = forms.DateField(required=False)
    # The filter bar has no visible labels: the first choice says what each list is, this names it.
    platform = forms.ChoiceField(
        choices=[("", "All platforms"), *Platform.choices],
        required=False,
        widget=forms.Select(attrs={"aria-label": "Platform"}),
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Status.choices],
        required=False,
        widget=forms.Select(attrs={"aria-label": "Status"}),
    )
    q = forms.CharField(required=False, max_length=200)

    def clean_date(self) -> date | None:
        day = self.cleaned_data["date"]
        if day is not None:
            try:
                check_supported_year(day, self.data["date"])
            except BadTime as error:
                raise forms.ValidationError(str(error)) from None
        return day

    def settings(self, today: date) -> tuple[str, date, dict]:
        """The view, its anchor day and the post filters; bad values fall back to the defaults."""
        self.is_valid()
        data = self.cleaned_data  # the fields that are valid
        filters = {}
        if data.get("platform"):
            filters["platform"] = data["platform"]
        if data.get("status"):
            filters["status"] = data["status"]
        if data.get("q"):
            filters["caption__icontains"] = data["q"]
        return data.get("view") or "month", data.get("date") or today, filters

    def date_problem(self) -> str | None:
        """Why the day asked for cannot be shown (the page shows today instead), if it cannot."""
        return self.errors["date"][0] if "date" in self.errors else None


# What a calendar cell sends when a post is dropped on it (calendar.Cell.slot).
DAY_SLOT = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
HOUR_SLOT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:00", re.ASCII)


DRAFT_DROP_TIME = time(12, 0)


class MovePostForm(forms.Form):
    """A drop on a day keeps the post's local time of day; a drop on an hour keeps its minutes.

    A draft with no time yet takes DRAFT_DROP_TIME on a day, and the hour's start on an hour.
    The post page's form sends any local time; a drop (`slot_only`) sends only a cell's slot.
    """

    scheduled_time = forms.CharField(max_length=40)

    def __init__(self, *args, post: ScheduledPost, tz: ZoneInfo, now: datetime, slot_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.post, self.tz, self.now, self.slot_only = post, tz, now, slot_only

    def clean_scheduled_time(self) -> datetime:
        value = self.cleaned_data["scheduled_time"].strip()
        current = self.post.scheduled_time.astimezone(self.tz) if self.post.scheduled_time else DRAFT_DROP_TIME
        try:
            # Only a drop names a slot: 11:00 typed on the post page means 11:00, not 11:<old minutes>.
            if self.slot_only and DAY_SLOT.fullmatch(value):  # same time of day
                day = parse_date(value)
                value = datetime.combine(day, time(current.hour, current.minute)).isoformat(timespec="minutes")
            elif self.slot_only and HOUR_SLOT.fullmatch(value):  # keep the minutes
                value = value[:14] + f"{current.minute:02d}"
            elif self.slot_only:
                raise forms.ValidationError("A post is dropped on a day or an hour of the calendar.")
            moment = parse_instant(value, self.tz)
        except BadTime as error:
            raise forms.ValidationError(str(error)) from None
        check_new_time(moment, now=self.now)
        return moment


def check_new_time(moment: datetime, *, now: datetime) -> None:
    """The API's rule for a post's new time (api_input.schedule_window_problem), worded for a page."""
    problem = schedule_window_problem(moment, now=now)
    if problem == IN_THE_PAST:
        raise forms.ValidationError("That time has passed; pick a time in the future.")
    if problem == TOO_FAR_AHEAD:
        raise forms.ValidationError("That is more than a year ahead; pick a time within 366 days.")


def errors_by_field(problem: BadInput) -> dict[str, str]:
    """Where a validation message belongs on a page: the field its details name, else the form."""
    for key in problem.details:
        if key not in ("unknown", "allowed", "known"):
            return {"platforms" if key == "platform" else key: problem.message}
    return {"form": problem.message}


class ProfileForm(forms.ModelForm):
    # A text box over a <datalist> of the offered zones: type "Paris" or "Tokyo" to find yours.
    timezone = forms.CharField(
        max_length=64,
        label="Time zone",
        help_text="Calendar times and recommendations use it. Type a city to search.",
        widget=forms.TextInput(attrs={"list": "zone-names", "autocomplete": "off", "spellcheck": "false"}),
    )
    late_grace_minutes = forms.IntegerField(
        min_value=1,
        max_value=1440,
        label="Late-post grace period (minutes)",
        help_text="A post that could not go out within this long after its time is marked missed, not sent late.",
    )

    resend_unconfirmed = forms.BooleanField(
        required=False,
        label="Send once more when a post cannot be confirmed",
        help_text="Off (recommended): when Blotato never confirmed a post and it does not appear in Blotato's "
        "list, we ask you to check the platform. On: we send it once more instead, which posts it twice if "
        "the first send did go out; platforms may flag accounts that post duplicates.",
    )

    queue_gap_minutes = forms.IntegerField(
        min_value=0,
        max_value=1440,
        label="Queue gap (minutes)",
        help_text="Add to queue keeps at least this long between two posts on one account.",
        required=False,
    )

    class Meta:
        model = Profile
        fields = ["timezone", "late_grace_minutes", "resend_unconfirmed", "queue_gap_minutes"]

    def clean_queue_gap_minutes(self) -> int:
        # Left out (a client that predates the field), it stays as it was.
        value = self.cleaned_data["queue_gap_minutes"]
        return self.instance.queue_gap_minutes if value is None else value

    def clean_timezone(self) -> str:
        name = self.cleaned_data["timezone"].strip()
        if name == self.instance.timezone:
            return name  # kept as it is, even a legacy name saved before the list was narrowed
        try:
            return offered_zone(name)
        except UnknownZone as error:
            raise forms.ValidationError(str(error)) from None


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


class RescheduleMissedForm(forms.Form):
    """Spread the posts missed while publishing was paused over the next few hours."""

    hours = forms.TypedChoiceField(
        label="Spread them over the next",
        choices=[(h, f"{h} hour{'s' if h > 1 else ''}") for h in (1, 2, 3, 6, 12, 24, 48)],
        coerce=int,
        initial=3,
    )
