"""The /v2/posts routes: create (validate, accept, fail later), one submission's status, the list."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from urllib.parse import urlsplit

from .records import Submission, iso
from .replies import Call, Reply, bad_request, not_found, ok, silence, unprocessable
from .validation import Invalid, caption_problem, check_post, parse_time, threads_media_problem

LISTED_STATUSES = ("scheduled", "published", "failed")
MAX_LIST_LIMIT = 250
WEEK = 7 * 86400  # the default list window on each side of now


def create_post(call: Call) -> Reply:
    state = call.state
    try:
        scheduled = check_post(call.body, now=datetime.fromtimestamp(state.now(), UTC))
    except Invalid as problem:
        return unprocessable(str(problem))
    post = call.body["post"]
    content = post["content"]
    if state.knob("media_urls_mode") != "any":
        for n, url in enumerate(content["mediaUrls"]):
            if not (state.hosts(url, call.base_url) or _public_https(url)):
                return unprocessable(
                    f"post.content.mediaUrls.{n}: must be a public https URL or media hosted by Blotato"
                )
    account = call.data.account(post["accountId"]) or {"id": post["accountId"]}
    outcome, error = "published", None

    # Problems Blotato may report at once or only later as a failed post, each chosen by a knob.
    for problem, knob, later in (
        (_account_problem(call, post), "account_not_found_mode", "Account not found"),
        (caption_problem(content), "caption_limit_mode", f"Text is too long for {content['platform']}"),
        (threads_media_problem(content), "threads_multi_media_mode", "Threads posts take one image or one video"),
    ):
        if problem is None or state.knob(knob) == "accept":
            continue
        if state.knob(knob) == "reject_422":
            return unprocessable(problem)
        if outcome == "published":
            outcome, error = "failed", later
    unreachable = next((url for url in content["mediaUrls"] if not _downloadable(url)), None)
    if unreachable and outcome == "published":
        outcome, error = "failed", f"Could not download media: {unreachable}"

    submission, fault = state.accept(
        call.data, account, call.body, scheduled.timestamp() if scheduled else None, outcome, error, call.drawn
    )
    if fault and fault.fault == "accept_then_drop":
        return silence()
    if fault and fault.fault == "accept_then_hang":
        return silence(fault.seconds if fault.seconds is not None else state.knob("hang_seconds"))
    if fault and fault.fault == "accept_then_500":
        return Reply(500, {"code": 9999, "message": fault.message or "An unknown error occurred."})
    answer = {"postSubmissionId": submission.id}
    if scheduled:
        answer["scheduledTime"] = iso(submission.scheduled_at)
    return ok(answer, 201)


def _account_problem(call: Call, post: dict) -> str | None:
    """The account must be this key's and on the post's platform (webhooks have no account)."""
    platform = post["content"]["platform"]
    if platform == "other":
        return None
    account = call.data.account(post["accountId"])
    if account is None:
        return "post.accountId: account not found"
    if account.get("platform") != platform:
        return f"post.accountId: account {account['id']} is a {account.get('platform')} account, not {platform}"
    return None


def _public_https(url: str) -> bool:
    """An https URL whose host is a name or a public address: something Blotato could download."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "https" or not host or host == "localhost" or host.endswith((".localhost", ".local")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host  # a name; a single label (an intranet host) is not public
    return address.is_global


def _downloadable(url: str) -> bool:
    """Blotato fetches media itself; a reserved .invalid host stands for one it cannot reach."""
    parts = urlsplit(url)
    if url.startswith("data:"):
        return True
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.hostname.endswith(".invalid")


def post_status(call: Call) -> Reply:
    state = call.state
    submission_id = call.params["id"]
    submission = state.submission(call.data.user_id, submission_id)
    if submission is None:  # unknown, or another user's: Blotato cannot tell them apart
        if state.knob("unknown_id_mode") == "404":
            return not_found()
        return ok({"postSubmissionId": submission_id, "status": "in-progress"})
    status = submission.status(state.now())
    answer = {"postSubmissionId": submission.id, "status": status}
    if status == "published" and submission.public_url:
        answer["publicUrl"] = submission.public_url
    elif status == "failed":
        answer["errorMessage"] = submission.error_message
    elif status == "scheduled":
        answer["scheduledTime"] = iso(submission.scheduled_at)
    return ok(answer)


def list_posts(call: Call) -> Reply:
    """Scheduled, published and failed posts in a window, newest first. In-progress ones are
    missing, as on Blotato: a lost create may not show up here yet."""
    state = call.state
    now = state.now()
    window = []
    for name, default in (("since", now - WEEK), ("until", now + WEEK)):
        value = call.arg(name)
        moment = parse_time(value) if value is not None else None
        if value is not None and moment is None:
            return bad_request(f'querystring/{name} must match format "date-time"')
        window.append(moment.timestamp() if moment else default)
    since, until = window
    wanted = call.query.get("status") or list(LISTED_STATUSES)
    if any(s not in LISTED_STATUSES for s in wanted):
        return bad_request("querystring/status must be equal to one of the allowed values")
    limit, offset = call.arg("limit", "20"), call.arg("cursor", "0")
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIST_LIMIT:
        return bad_request(f"querystring/limit must be an integer from 1 to {MAX_LIST_LIMIT}")
    if not offset.isdigit():
        return bad_request("querystring/cursor is not a cursor this API gave out")
    limit, offset = int(limit), int(offset)
    platform = call.arg("platform")
    if state.knob("list_ignores_window"):
        since, until = float("-inf"), float("inf")

    found = []
    for order, submission in enumerate(state.submissions(call.data.user_id)):
        status = submission.status(now)
        post_time = submission.post_time(status) if status in LISTED_STATUSES else None
        if status not in wanted or post_time is None or not since <= post_time <= until:
            continue
        if now < submission.listed_after:
            continue
        if platform and submission.platform != platform:
            continue
        found.append((post_time, order, submission, status))
    found.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    page = [_listed(call, s, status, post_time) for post_time, _, s, status in found[offset : offset + limit]]
    more = offset + limit < len(found)
    return ok({"items": page, "cursor": str(offset + limit) if more else None})


def _listed(call: Call, submission: Submission, status: str, post_time: float) -> dict:
    state = {"type": status}
    if status == "published" and submission.public_url:
        state["postUrl"] = submission.public_url
    elif status == "failed":
        state["errorMessage"] = submission.error_message
    item = {
        "id": submission.listing_id,
        "platform": submission.platform,
        "text": submission.text,
        "mediaUrls": list(submission.media_urls),
        "postTime": iso(post_time),
        "state": state,
    }
    if call.state.knob("list_includes_account_id"):
        item["accountId"] = submission.account_id
    if call.state.knob("list_includes_submission_id"):
        item["postSubmissionId"] = submission.id
    return item
