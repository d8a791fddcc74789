"""What wraps every JSON endpoint: the allowed methods, authentication, and one error shape.

Errors are always `{"error": "...", "details": {...}}` with a 4xx status; bad input never
reaches a 500 or an HTML page. Reading the body is json_body.py's work.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .bad_input import BadInput
from .models import ApiToken, Profile
from .transitions import WrongStatus

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
LAST_USED_PRECISION = timedelta(seconds=60)  # an API token's last_used_at is written at most this often


def error_response(status: int, message: str, details: dict | None = None) -> JsonResponse:
    return JsonResponse({"error": message, "details": details or {}}, status=status)


def _bearer_user(request):
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    now = timezone.now()
    stale = now - LAST_USED_PRECISION
    params = [connection.ops.adapt_datetimefield_value(stale), ApiToken.hash(token.strip())]
    found = next(iter(get_user_model().objects.raw(_token_owner_sql(), params)), None)
    if found is None or not found.is_active:
        return None
    if found.token_last_used_stale:
        # Conditional, so clients sharing a token do not all queue on its row lock to write it.
        ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=found.token_id).update(
            last_used_at=now
        )
    return found


def _token_owner_sql() -> str:
    """A token's user, with the token's bookkeeping and the user's zone, in one statement.

    Written out because every API request runs it: the ORM spent four times the CPU compiling the
    equivalent select_related query as PostgreSQL took to answer it (docs/reliability.md, §3).
    Portable SQL; the user comes back as a full model instance, the rest as attributes (compared in
    SQL, as a raw query's extra columns are not converted from each database's datetime format).
    """
    return f"""
        SELECT u.*, t.id AS token_id, p.timezone AS zone_name,
               (t.last_used_at IS NULL OR t.last_used_at < %s) AS token_last_used_stale
        FROM {ApiToken._meta.db_table} t
        JOIN {get_user_model()._meta.db_table} u ON u.id = t.user_id
        LEFT JOIN {Profile._meta.db_table} p ON p.user_id = u.id
        WHERE t.token_hash = %s
    """


def _csrf_refusal(request):
    """Browser sessions need a CSRF token for changes; bearer tokens cannot be forged by a page."""
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})


def api_endpoint(*methods: str):
    """Decorate a JSON view: allowed methods, bearer-or-session auth, errors as JSON."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                return error_response(
                    405, f"Method {request.method} not allowed; use {', '.join(methods)}.", {"allowed": list(methods)}
                )
            if "Authorization" in request.headers:
                user = _bearer_user(request)
                if user is None:
                    return error_response(401, "The API token is missing, malformed or revoked.")
            elif request.user.is_authenticated:
                user = request.user
                if request.method in UNSAFE_METHODS and _csrf_refusal(request) is not None:
                    return error_response(403, "CSRF token missing or incorrect.")
            else:
                return error_response(401, "Authentication required: send 'Authorization: Bearer <token>'.")
            request.user = user
            try:
                return view(request, *args, **kwargs)
            except BadInput as problem:
                return error_response(problem.status, problem.message, problem.details)
            except Http404 as missing:
                return error_response(404, str(missing) or "Not found.")
            except WrongStatus as refused:
                allowed = " or ".join(refused.allowed)
                return error_response(
                    409,
                    f"This post is {refused.status}; only {allowed} posts can be changed this way.",
                    {"status": refused.status},
                )

        return wrapped

    return decorate
