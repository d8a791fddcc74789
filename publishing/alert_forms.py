"""The settings page's forms for hearing about problems: notification choices and webhooks."""

from __future__ import annotations

from django import forms

from . import webhooks
from .bad_input import BadInput
from .models import NotificationKind


class NotificationChoicesForm(forms.Form):
    email_address = forms.EmailField(
        required=False, label="Email address", help_text="Where emailed notifications go; empty: none are emailed."
    )
    in_app = forms.MultipleChoiceField(
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Listed on the notifications page",
    )
    email = forms.MultipleChoiceField(
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Emailed (one digest every few minutes, however many there are)",
    )


class WebhookForm(forms.Form):
    url = forms.CharField(max_length=2000, label="URL", widget=forms.URLInput(attrs={"placeholder": "https://"}))
    events = forms.MultipleChoiceField(
        choices=[(name, f"{name}: {webhooks.EVENT_HELP[name]}") for name in webhooks.EVENTS],
        widget=forms.CheckboxSelectMultiple,
        initial=list(webhooks.EVENTS),
    )

    def clean_url(self) -> str:
        try:
            return webhooks.check_url(self.cleaned_data["url"])
        except BadInput as refused:
            raise forms.ValidationError(refused.message) from None
