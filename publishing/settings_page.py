"""The settings page: time zone and grace period, pausing publishing, the Blotato key, accounts,
API tokens, calendar feed, which notifications are listed and emailed, and webhooks (with their
delivery log).

Also the answer to the first-login banner that offers the browser's time zone (base.html).

The Blotato key is write-only: the page shows that one is saved and its last four characters,
never the key. A new key is checked against Blotato's account list before it is saved. A new API
token is shown once, in the answer to the form that created it; only its hash is stored. The
calendar subscription URL and a new webhook's signing secret work the same way.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from analytics.harvest import current_problem

from . import accounts, notifications, pause, webhooks
from .alert_forms import NotificationChoicesForm, WebhookForm
from .bad_input import BadInput
from .blotato_errors import AuthRejected, BlotatoError, RateLimited
from .forms import ApiTokenForm, BlotatoKeyForm, ProfileForm, RescheduleMissedForm
from .models import (
    ApiToken,
    CalendarFeedToken,
    NotificationPreference,
    Profile,
    SocialAccount,
    WebhookDelivery,
    WebhookEndpoint,
)
from .zones import UnknownZone, offered_zone, offered_zones, user_zone

DELIVERIES_SHOWN = 30


def _profile(user) -> Profile:
    return Profile.objects.get_or_create(user=user)[0]


def _render(request, status: int = 200, **forms):
    profile = _profile(request.user)
    key = profile.blotato_api_key
    context = {
        "profile_form": ProfileForm(instance=profile),
        "key_form": BlotatoKeyForm(),
        "token_form": ApiTokenForm(),
        "reschedule_form": RescheduleMissedForm(),
        **forms,
        "key_hint": f"••••{key[-4:]}" if len(key) >= 12 else ("••••" if key else ""),
        "install_key": bool(settings.BLOTATO_API_KEY),
        "accounts": SocialAccount.objects.owned_by(request.user),
        "tokens": ApiToken.objects.filter(user=request.user),
        "calendar_feed": CalendarFeedToken.objects.filter(user=request.user).first(),
        "harvest_problem": current_problem(request.user),
        "zone_names": offered_zones(),
        "missed_while_paused": pause.missed_while_paused(request.user),
        "zone": user_zone(request.user),
        "webhooks": WebhookEndpoint.objects.owned_by(request.user).defer("secret"),
        "deliveries": WebhookDelivery.objects.filter(endpoint__owner=request.user)
        .select_related("endpoint")
        .defer("payload", "endpoint__secret")[:DELIVERIES_SHOWN],
    }
    context.setdefault("notification_form", _notification_form(request.user))
    context.setdefault("webhook_form", WebhookForm())
    return render(request, "publishing/settings.html", context, status=status)


@login_required
@require_GET
def settings_page(request):
    return _render(request)


@login_required
@require_POST
def save_profile(request):
    form = ProfileForm(request.POST, instance=_profile(request.user))
    if not form.is_valid():
        return _render(request, 422, profile_form=form)
    profile = form.save(commit=False)
    profile.zone_offer_answered = True  # a zone chosen here is an answer to the browser's offer
    profile.save()
    messages.success(request, "Saved.")
    return redirect("publishing:settings")


@login_required
@require_POST
def answer_zone_offer(request):
    """The first-login banner: use the browser's zone (one click), or keep the current one."""
    profile = _profile(request.user)
    if request.POST.get("answer") == "accept":
        try:
            profile.timezone = offered_zone(request.POST.get("zone", ""))
        except UnknownZone as refused:
            messages.error(request, f"{refused} Nothing was changed; Settings has the full list.")
            return redirect(_back(request))
        messages.success(request, f"Your calendar now shows times in {profile.timezone}.")
    profile.zone_offer_answered = True
    profile.save(update_fields=["timezone", "zone_offer_answered"])
    return redirect(_back(request))


def _back(request) -> str:
    """The page the banner was on, if it is one of ours; else the calendar."""
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return back
    return reverse("publishing:calendar")


@login_required
@require_POST
def save_blotato_key(request):
    form = BlotatoKeyForm(request.POST)
    if form.is_valid():
        try:
            count = accounts.check_key(form.cleaned_data["api_key"])
        except AuthRejected as refused:
            reason = refused.message or "unauthorised"
            form.add_error("api_key", f"Blotato refused this key ({reason}). Nothing was saved.")
        except RateLimited as limited:
            form.add_error("api_key", f"Blotato is rate limiting; try again in {limited.retry_after:.0f} s.")
        except BlotatoError as problem:
            form.add_error("api_key", f"Could not reach Blotato to check the key ({problem}). Nothing was saved.")
    if not form.is_valid():
        return _render(request, 422, key_form=form)
    profile = _profile(request.user)
    profile.blotato_api_key = form.cleaned_data["api_key"]
    profile.save(update_fields=["blotato_api_key"])
    messages.success(request, f"Key checked and saved: Blotato lists {count} connected account(s).")
    _sync(request)
    return redirect("publishing:settings")


@login_required
@require_POST
def remove_blotato_key(request):
    Profile.objects.filter(user=request.user).update(blotato_api_key="")
    messages.success(request, "Your Blotato key was removed.")
    return redirect("publishing:settings")


@login_required
@require_POST
def sync_accounts(request):
    _sync(request)
    return redirect("publishing:settings")


@login_required
@require_POST
def create_token(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render(request, 422, token_form=form)
    token, secret = ApiToken.issue(request.user, form.cleaned_data["name"])
    # Shown in this answer and nowhere else: kept in the session for a redirect, the secret would
    # sit in the session store (a database row) until the next page view.
    response = _render(request, 201, new_token_name=token.name, new_token=secret)
    response["Cache-Control"] = "no-store"  # nor in the browser's cache, for the back button
    return response


@login_required
@require_POST
def revoke_token(request, token_id: int):
    deleted, _ = ApiToken.objects.filter(user=request.user, pk=token_id).delete()
    if not deleted:
        raise Http404("No such token.")
    messages.success(request, "Token revoked: it no longer works.")
    return redirect("publishing:settings")


@login_required
@require_POST
def create_calendar_feed(request):
    """A new subscription URL, shown in this answer only; any earlier URL stops working."""
    token = CalendarFeedToken.issue(request.user)
    url = request.build_absolute_uri(reverse("publishing:calendar_feed", args=[token]))
    response = _render(request, 201, new_feed_url=url)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_calendar_feed(request):
    deleted, _ = CalendarFeedToken.objects.filter(user=request.user).delete()
    if not deleted:
        raise Http404("No calendar feed to revoke.")
    messages.success(request, "Calendar feed revoked: its URL no longer works.")
    return redirect("publishing:settings")


@login_required
@require_POST
def pause_publishing(request):
    pause.pause(request.user, by=request.user.get_username())
    messages.success(request, "Publishing paused: none of your posts will be sent until you resume.")
    return redirect("publishing:settings")


@login_required
@require_POST
def resume_publishing(request):
    outcome = pause.resume(request.user, by=request.user.get_username())
    if not outcome.was_paused:
        messages.info(request, "Publishing was not paused.")
    elif outcome.missed:
        messages.warning(
            request,
            f"Publishing resumed. {outcome.missed} post(s) were later than your grace period and were not "
            "sent: they are listed below to reschedule.",
        )
    else:
        messages.success(request, "Publishing resumed.")
    return redirect("publishing:settings")


@login_required
@require_POST
def reschedule_missed(request):
    form = RescheduleMissedForm(request.POST)
    if not form.is_valid():
        return _render(request, 422, reschedule_form=form)
    moved = pause.reschedule_missed(request.user, hours=form.cleaned_data["hours"])
    messages.success(request, f"Rescheduled {moved} post(s) over the next {form.cleaned_data['hours']} h.")
    return redirect("publishing:settings")


def _notification_form(user) -> NotificationChoicesForm:
    in_app, email = notifications.choices(user.pk)
    return NotificationChoicesForm(
        initial={"email_address": user.email, "in_app": sorted(in_app), "email": sorted(email)}
    )


@login_required
@require_POST
def save_notification_choices(request):
    form = NotificationChoicesForm(request.POST)
    if not form.is_valid():
        return _render(request, 422, notification_form=form)
    NotificationPreference.objects.update_or_create(
        user=request.user, defaults={"in_app": form.cleaned_data["in_app"], "email": form.cleaned_data["email"]}
    )
    request.user.email = form.cleaned_data["email_address"]
    request.user.save(update_fields=["email"])
    messages.success(request, "Notification choices saved.")
    return redirect("publishing:settings")


@login_required
@require_POST
def create_webhook(request):
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = webhooks.register(request.user, form.cleaned_data["url"], form.cleaned_data["events"])
        except BadInput as refused:
            form.add_error("url", refused.message)
    if not form.is_valid():
        return _render(request, 422, webhook_form=form)
    # Like an API token: the secret is in this answer only, never in the session or the cache.
    response = _render(request, 201, new_webhook_url=endpoint.url, new_webhook_secret=secret)
    response["Cache-Control"] = "no-store"
    return response


def _owned_webhook(request, webhook_id) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.owned_by(request.user).defer("secret").filter(pk=webhook_id).first()
    if endpoint is None:
        raise Http404("No such webhook.")
    return endpoint


@login_required
@require_POST
def delete_webhook(request, webhook_id):
    _owned_webhook(request, webhook_id).delete()
    messages.success(request, "Webhook deleted: nothing more is sent to it.")
    return redirect("publishing:settings")


@login_required
@require_POST
def switch_on_webhook(request, webhook_id):
    webhooks.switch_on(_owned_webhook(request, webhook_id))
    messages.success(request, "Webhook switched on again.")
    return redirect("publishing:settings")


def _sync(request) -> None:
    try:
        synced = accounts.sync_accounts(request.user)
    except AuthRejected:
        messages.error(request, "Blotato refused the key while syncing accounts: check the key above.")
    except BlotatoError as problem:
        messages.error(request, f"Could not sync accounts with Blotato ({problem}); try again shortly.")
    else:
        active = sum(1 for account in synced if account.is_active)
        messages.success(request, f"Accounts synced: {active} connected.")
