"""What every JSON endpoint shares: authentication, reading the body, and one error shape.

Errors are always `{"error": "...", "details": {...}}` with a 4xx status; bad input never
reaches a 500 or an HTML page.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .lifecycle import WrongStatus
from .models import ApiToken, Profile
from .timeparse import zone_named

logger = logging.getLogger(__name__)

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
LAST_USED_PRECISION = timedelta(seconds=60)  # an API token's last_used_at is written at most this often


class BadInput(Exception):
    """Input we refuse, with a message for the person who sent it (HTTP 400 unless told)."""

    def __init__(self, message: str, details: dict | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        self.status = status


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


def read_body(request) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        raise BadInput("The request body is too large.", status=413) from None


def read_json(request) -> dict:
    """The request body as a JSON object, or a BadInput saying exactly what is wrong with it."""
    raw = read_body(request)
    if not raw.strip():
        raise BadInput("The request body is empty; send a JSON object.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("The request body is not valid UTF-8.") from None
    try:
        data = json.loads(text, parse_constant=_refuse_non_finite, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        raise BadInput(f"Malformed JSON: {error.msg} at line {error.lineno} column {error.colno}.") from None
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        raise BadInput("The JSON holds a number too long to read.") from None
    except RecursionError:
        raise BadInput("The JSON is nested too deeply.") from None
    if not isinstance(data, dict):
        raise BadInput("The request body must be a JSON object.")
    return data


NOT_FINITE = "The JSON holds a number that is not finite (NaN or Infinity); send a number."


def _refuse_non_finite(constant: str):
    # Python reads NaN and Infinity, which JSON does not have; stored, they would make our answers
    # non-standard JSON.
    raise BadInput(NOT_FINITE)


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999
        raise BadInput(NOT_FINITE)
    return number


def user_zone(user) -> ZoneInfo:
    """The user's zone, read once a request: API requests bring it with the token (_bearer_user)."""
    name = getattr(user, "zone_name", None)
    if name is None:
        name = Profile.objects.filter(user=user).values_list("timezone", flat=True).first()
        if name is None:
            name = Profile.objects.get_or_create(user=user)[0].timezone
        user.zone_name = name
    return zone_named(name)


def search_text(params, name: str = "q") -> str:
    """A search query parameter; PostgreSQL text cannot hold NUL, so it is refused, not a 500."""
    value = params.get(name, "")[:200]
    if "\x00" in value:
        raise BadInput(f"{name} contains a NUL character.", {name: "invalid character"})
    return value


def refuse_unknown_fields(data: dict, known: set[str]) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise BadInput(f"Unknown field(s): {', '.join(unknown)}.", {"unknown": unknown, "allowed": sorted(known)})
