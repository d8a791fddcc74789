"""Test controls under /__fake__/ for a fake running in another process (no key needed).

Each endpoint calls the matching `FakeBlotato` method, so both ways of driving the fake agree.
The presigned-upload PUT lands here too, since its URL points back at the fake.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import TYPE_CHECKING

from .replies import Reply, ok

if TYPE_CHECKING:
    from . import FakeBlotato

UPLOAD = re.compile(r"^/__fake__/upload/(?P<token>[0-9a-f]+)$")
OUTCOME = re.compile(r"^/__fake__/submissions/(?P<id>[^/]+)/outcome$")


def handle(fake: FakeBlotato, method: str, path: str, query: dict[str, list[str]], raw: bytes) -> Reply:
    upload = UPLOAD.match(path)
    if upload and method == "PUT":
        if not fake.state.store_upload(upload["token"], len(raw)):
            return _problem(403, "unknown or expired upload URL")
        return Reply(200)
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return _problem(400, "malformed JSON")
    if not isinstance(body, dict):
        return _problem(400, "the body must be a JSON object")
    try:
        return _act(fake, method, path, {name: values[0] for name, values in query.items()}, body)
    except KeyError as missing:
        return _problem(400, f"missing field {missing}")
    except LookupError as problem:  # an unknown submission id
        return _problem(404, str(problem))
    except (TypeError, ValueError) as problem:
        return _problem(400, str(problem))


def _act(fake: FakeBlotato, method: str, path: str, query: dict[str, str], body: dict) -> Reply:
    done = ok({"ok": True})
    outcome = OUTCOME.match(path)
    if outcome and method == "POST":
        fake.force_outcome(outcome["id"], body["outcome"], body.get("message"))
        return done
    action = (method, path.removeprefix("/__fake__/"))
    if action == ("POST", "reset"):
        fake.reset()
    elif action == ("POST", "keys"):
        _add_key(fake, body)
    elif action == ("DELETE", "keys"):
        fake.remove_key(body["key"])
    elif action == ("POST", "keys/rotate"):
        fake.rotate_key(body["old"], body["new"])
    elif action == ("POST", "knobs"):
        fake.set_knobs(**body)
    elif action == ("POST", "faults"):
        fake.inject(body.pop("fault"), **body)
    elif action == ("DELETE", "faults"):
        fake.clear_faults()
    elif action == ("POST", "backfill"):
        published_at = datetime.fromisoformat(str(body["published_at"]).replace("Z", "+00:00"))
        return ok(
            fake.backfill(
                body["key"], str(body["account_id"]), str(body["text"]), published_at, body.get("media_urls", [])
            )
        )
    elif action == ("POST", "advance"):
        fake.advance(float(body["seconds"]))
    elif action == ("GET", "requests"):
        return ok(fake.requests(query.get("method"), query.get("path")))
    elif action == ("GET", "submissions"):
        return ok(fake.submissions(query.get("account_id")))
    elif action == ("GET", "publications"):
        return ok(fake.publications(query.get("account_id"), query.get("marker")))
    elif action == ("GET", "publication-counts"):
        return ok(fake.publication_counts())
    elif action == ("GET", "uploads"):
        return ok(fake.uploads())
    elif action == ("GET", "media"):
        return ok(fake.media())
    elif action == ("GET", "published-id"):
        return ok({"id": fake.published_id(query["submission_id"])})
    elif action == ("GET", "snapshots"):
        return ok(fake.snapshots(query["published_id"]))
    elif action == ("GET", "engagement-curve"):
        return ok(fake.true_engagement_curve(query["account_id"]))
    else:
        return _problem(404, "no such control endpoint")
    return done


def _add_key(fake: FakeBlotato, body: dict) -> None:
    if body.get("sandbox"):
        fake.add_sandbox_key(body["key"])
        return
    fake.add_key(
        body["key"],
        body.get("accounts", []),
        subaccounts=body.get("subaccounts"),
        boards=body.get("boards"),
        no_plan=bool(body.get("no_plan", False)),
    )


def _problem(status: int, message: str) -> Reply:
    return Reply(status, {"statusCode": status, "message": message})
