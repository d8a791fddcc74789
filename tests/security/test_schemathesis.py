"""Property-based fuzzing of the whole JSON API from its own OpenAPI document, in process.

Every generated request goes through Django's WSGI app with a real bearer token. It must never
get a 5xx, and its status code, content type and body must be what /api/openapi.json promises.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from datetime import timedelta

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from publishing import accounts
from publishing.models import ApiToken, Clip, ScheduledPost, SocialAccount, Status

from ..conftest import make_user

pytestmark = pytest.mark.django_db

MIN_REQUESTS = 1000
SEED = int(os.environ.get("FUZZ_SEED", "20261125"))  # fixed, so CI tries the same requests every run
EXAMPLES_PER_OPERATION = 150  # operations without inputs stop early once every distinct case is tried
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class CountingApp:
    """Django's WSGI app, counting the requests that actually reach it."""

    def __init__(self, app):
        self.app = app
        self.requests = 0
        self.answers: Counter[str] = Counter()

    def __call__(self, environ, start_response):
        self.requests += 1

        def counting_start_response(status, headers, *args):
            self.answers[f"{environ['REQUEST_METHOD']} {status[:3]}"] += 1
            return start_response(status, headers, *args)

        return self.app(environ, counting_start_response)


app = CountingApp(get_wsgi_application())
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
OPERATIONS = len(list(schema.get_all_operations()))
app.requests = 0  # loading the document is not fuzzing
app.answers.clear()
fuzzed_operations: set[str] = set()


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Like Django's test client: a request must not close the connection holding the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def fuzzer(fake_blotato) -> User:
    """A user with a clip and synced sandbox accounts, so valid requests can get past validation."""
    user = make_user("fuzzer", "Europe/Paris")
    Clip.objects.create(owner=user, title="Fuzz clip", media_url="https://cdn.example.com/fuzz.mp4")
    accounts.sync_accounts(user)
    return user


@pytest.fixture
def token(fuzzer) -> str:
    return ApiToken.issue(fuzzer)[1]


def aim_at_a_real_post(case, user) -> None:
    """Send half the generated post ids to a fresh post of the user, scheduled or failed, so
    PATCH, DELETE and retry reach their real work rather than only the 404."""
    try:
        generated = uuid.UUID(str(case.path_parameters["post_id"]))
    except ValueError:
        return
    if generated.int % 2:
        return
    status = Status.SCHEDULED if generated.int % 4 == 0 else Status.FAILED
    post = ScheduledPost.objects.create(
        owner=user,
        account=SocialAccount.objects.filter(owner=user, platform="twitter").first(),
        platform="twitter",
        caption="Fuzz target",
        scheduled_time=timezone.now() + timedelta(days=2),
        status=status,
    )
    case.path_parameters["post_id"] = str(post.pk)


@schema.parametrize()
@seed(SEED)
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case, fuzzer, token):
    fuzzed_operations.add(case.operation.label)
    if "post_id" in (case.path_parameters or {}):
        aim_at_a_real_post(case, fuzzer)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def test_the_fuzzing_made_at_least_1000_requests():
    # Runs after the fuzzing above (file order); run the whole file, not this test alone.
    assert len(fuzzed_operations) == OPERATIONS, f"only {sorted(fuzzed_operations)} were fuzzed"
    print(f"{app.requests} fuzzed requests reached the app: {sorted(app.answers.items())}")
    assert app.requests >= MIN_REQUESTS, f"only {app.requests} requests reached the app"
