"""Bulk import: rows of a file (import_files.py) checked as schedule requests, then created at once.

Each row becomes the API's schedule request and is read by api_input.read_schedule, the same
rules as POST /api/publishing/schedule and the dialog; the import only adds what a file needs:
accounts by name, a clip made from a media URL, option columns, and every refusal of a row listed
with its column. Rows that ask for "next_slot" take their accounts' free slots in file order,
through one queue.QueueCursor per account, so the dry run and the commit give the same times.
The commit checks again inside one transaction holding the owner's account rows: any bad row and
nothing is written. docs/import.md describes the format.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.db import transaction

from . import api_input, lifecycle
from .api_input import FAILED, NEXT_SLOT, Problems, ScheduleInput, read_schedule
from .bad_input import BadInput
from .import_files import ImportRow
from .models import Clip, SocialAccount
from .platforms import RULES
from .queue import QueueCursor, no_free_slot
from .timeparse import iso_utc
from .zones import user_zone

Progress = Callable[[int, int], None]  # (rows done, rows in all)
PROGRESS_EVERY = 250  # rows between two progress reports
LIST_SEPARATORS = re.compile(r"\s*[,;|]\s*")


@dataclass
class CellError:
    column: str
    message: str


@dataclass
class PlannedPost:
    platform: str
    account: SocialAccount
    at: datetime
    from_slot: bool  # the time is a queue slot ("next_slot")


@dataclass
class RowOutcome:
    number: int
    caption: str = ""
    clip: Clip | None = None  # not saved yet when the row's media URL makes a new clip
    posts: list[PlannedPost] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    wanted: ScheduleInput | None = None

    @property
    def new_clip(self) -> bool:
        return self.clip is not None and self.clip._state.adding


@dataclass
class ImportCheck:
    rows: list[RowOutcome]
    zone: str

    @property
    def ok(self) -> bool:
        return not self.error_rows and bool(self.rows)

    @property
    def error_rows(self) -> list[int]:
        return [row.number for row in self.rows if row.errors]

    @property
    def post_count(self) -> int:
        return sum(len(row.posts) for row in self.rows)

    def new_clips(self) -> list[Clip]:
        """Each clip a media URL makes, once, however many rows share the URL."""
        return list({row.clip.pk: row.clip for row in self.rows if row.new_clip}.values())

    def summary(self) -> str:
        if not self.rows:
            return "The file has no posts."
        if self.error_rows:
            rows = ", ".join(map(str, self.error_rows[:20])) + (" …" if len(self.error_rows) > 20 else "")
            has = "rows has an error" if len(self.error_rows) == 1 else "rows have errors"
            which = "row" if len(self.error_rows) == 1 else "rows"
            return f"{len(self.error_rows)} of {len(self.rows)} {has} ({which} {rows}); nothing was imported."
        return f"{len(self.rows)} rows, {self.post_count} posts."


class ImportRefused(Exception):
    """A commit refused because a row has errors (nothing was written); `check` says which."""

    def __init__(self, check: ImportCheck):
        super().__init__(check.summary())
        self.check = check


def check_rows(owner, rows: list[ImportRow], *, now: datetime, progress: Progress | None = None) -> ImportCheck:
    """What importing `rows` would create, or every error of every row; writes nothing."""
    reader = RowReader(owner, rows, now=now)
    outcomes = []
    for done, row in enumerate(rows, start=1):
        outcomes.append(reader.read(row))
        if progress and (done % PROGRESS_EVERY == 0 or done == len(rows)):
            progress(done, len(rows))
    return ImportCheck(outcomes, reader.zone.key)


def commit_rows(owner, rows: list[ImportRow], *, now: datetime, progress: Progress | None = None) -> ImportCheck:
    """Create every row's posts (and the clips their media URLs make), or nothing: ImportRefused."""
    with transaction.atomic():
        # Held to the end, in id order as the queue takes them: no "add to queue" slips into a slot
        # between our check and our writes.
        list(SocialAccount.objects.select_for_update().filter(owner=owner).order_by("pk").values_list("pk"))
        check = check_rows(owner, rows, now=now, progress=progress)
        if not check.ok:
            raise ImportRefused(check)
        Clip.objects.bulk_create(check.new_clips())
        groups = [
            lifecycle.PostGroup(
                plans=row.wanted.plans, clip=row.clip, caption=row.wanted.caption, times=[p.at for p in row.posts]
            )
            for row in check.rows
        ]
        lifecycle.create_post_groups(owner, groups, hint_at=now)
    return check


class RowReader:
    """Turns rows into schedule requests for one owner, with what every row shares read once:
    the accounts, the clips named, and each account's queue."""

    def __init__(self, owner, rows: list[ImportRow], *, now: datetime):
        self.owner = owner
        self.now = now
        self.zone = user_zone(owner)
        self.accounts = list(SocialAccount.objects.owned_by(owner).filter(is_active=True))
        self.cursors: dict[int, QueueCursor] = {}
        self.clips_by_id = self._clips_named(rows)
        self.clips_by_url = self._clips_at([row.cells.get("media_url") for row in rows])

    def read(self, row: ImportRow) -> RowOutcome:
        outcome = self._read(row)
        # Each error under the column's name as the file wrote it (tiktok.privacy_level, Time).
        for error in outcome.errors:
            error.column = row.headings.get(error.column, error.column)
        return outcome

    def _read(self, row: ImportRow) -> RowOutcome:
        # The caption as given: read_schedule refuses a non-string with its own message.
        outcome = RowOutcome(row.number, caption=row.cells.get("caption", ""))
        if row.problem:
            outcome.errors.append(CellError("", row.problem))
            return outcome
        cells = row.cells
        chosen = self._accounts(cells["accounts"], outcome) if "accounts" in cells else []
        request: dict = {"caption": outcome.caption, "platforms": _platforms(cells, chosen)}
        if "time" in cells:
            request["scheduled_time"] = _time(cells["time"])
        options = _options(cells, chosen, outcome)
        if options is not None:
            request["options"] = options
        clip = self._clip(cells, outcome)
        problems = Problems()
        wanted = read_schedule(
            request, self.owner, self.zone, now=self.now, problems=problems, clip=clip, accounts=self.accounts
        )
        outcome.errors += [CellError(_column(problem, cells), _message(problem)) for problem in problems.found]
        if wanted is None or outcome.errors:
            return outcome
        outcome.wanted, outcome.clip = wanted, clip
        self._place(wanted, outcome)
        return outcome

    def _place(self, wanted: ScheduleInput, outcome: RowOutcome) -> None:
        """Each post's time: the account's next free slot, or the row's time (which then occupies)."""
        posts = []
        for plan in wanted.plans:
            cursor = self._cursor(plan.account)
            if wanted.queued:
                at = cursor.next_free()
                if at is None:
                    outcome.errors.append(CellError("time", no_free_slot(plan).message))
                    continue
            else:
                at = wanted.scheduled_time
                cursor.occupy(at)
            posts.append(PlannedPost(plan.platform, plan.account, at, wanted.queued))
        if not outcome.errors:
            outcome.posts = posts

    def _cursor(self, account: SocialAccount) -> QueueCursor:
        if account.pk not in self.cursors:
            self.cursors[account.pk] = QueueCursor(account, now=self.now)
        return self.cursors[account.pk]

    # --- cells into the API's fields --------------------------------------------------------------

    def _accounts(self, value: object, outcome: RowOutcome) -> list[SocialAccount]:
        names = _list(value)
        if names is None:
            outcome.errors.append(CellError("accounts", "accounts must be account ids, names or @usernames."))
            return []
        found: list[SocialAccount] = []
        for name in names:
            matches = _matching_accounts(name, self.accounts)
            if not matches:
                outcome.errors.append(
                    CellError("accounts", f"No connected account '{name}': use an account id, name or @username.")
                )
            elif len(matches) > 1:
                ids = ", ".join(a.blotato_account_id for a in matches)
                outcome.errors.append(CellError("accounts", f"'{name}' names several accounts ({ids}): use the id."))
            elif any(a.platform == matches[0].platform for a in found):
                label = matches[0].get_platform_display()
                outcome.errors.append(CellError("accounts", f"Two {label} accounts in one row: one per platform."))
            else:
                found.append(matches[0])
        return found

    def _clip(self, cells: dict, outcome: RowOutcome) -> Clip | None | object:
        """The row's clip, FAILED if it names one we refuse (the error noted), None if it names none."""
        if "clip" in cells and "media_url" in cells:
            outcome.errors.append(CellError("media_url", "Give clip or media_url, not both."))
            return FAILED
        if "clip" in cells:
            value = cells["clip"]
            if isinstance(value, str) and value.strip() in self.clips_by_id:
                return self.clips_by_id[value.strip()]
            problems = Problems()
            clip = problems.check("clip_id", api_input.owned_clip, value, self.owner)
            outcome.errors += [CellError("clip", p.message) for p in problems.found]
            return clip
        if "media_url" in cells:
            return self._clip_at(cells, outcome)
        if "title" in cells:
            outcome.errors.append(CellError("title", "title names the clip a media_url makes: give media_url too."))
        return None

    def _clip_at(self, cells: dict, outcome: RowOutcome) -> Clip | object:
        url = cells["media_url"]
        if isinstance(url, str) and url.strip() in self.clips_by_url:
            return self.clips_by_url[url.strip()]
        title = cells.get("title") or _title_from_url(url)
        try:
            fields = api_input.parse_clip({"title": title, "media_url": url.strip() if isinstance(url, str) else url})
        except BadInput as error:
            column = "title" if "title" in error.details else "media_url"
            outcome.errors.append(CellError(column, error.message))
            return FAILED
        clip = Clip(owner=self.owner, **fields)
        self.clips_by_url[fields["media_url"]] = clip
        return clip

    def _clips_named(self, rows: list[ImportRow]) -> dict[str, Clip]:
        """The owner's clips that rows name by id, in one query (unknown ones are looked up, and refused, alone)."""
        ids = set()
        for row in rows:
            with contextlib.suppress(KeyError, AttributeError, ValueError):
                ids.add(str(uuid.UUID(row.cells["clip"].strip())))
        clips = Clip.objects.owned_by(self.owner).filter(pk__in=ids) if ids else []
        return {str(clip.pk): clip for clip in clips}

    def _clips_at(self, urls: list) -> dict[str, Clip]:
        """The owner's clips with the media URLs rows give: reused, the oldest one for a URL."""
        wanted = {url.strip() for url in urls if isinstance(url, str)}
        found: dict[str, Clip] = {}
        if wanted:
            for clip in Clip.objects.owned_by(self.owner).filter(media_url__in=wanted).order_by("-created_at"):
                found[clip.media_url] = clip
        return found


def _platforms(cells: dict, chosen: list[SocialAccount]) -> object:
    """The platforms column (a list, or names separated by commas, spaces or |) and the accounts' platforms."""
    platforms = cells.get("platforms", [])
    if isinstance(platforms, str):
        platforms = [p for p in re.split(r"[\s,;|]+", platforms) if p]
    if not isinstance(platforms, list):
        return platforms  # read_schedule names the problem
    return [*platforms, *(account.platform for account in chosen)] or None


def _options(cells: dict, chosen: list[SocialAccount], outcome: RowOutcome) -> object:
    """The options column (JSON) with the option columns and the chosen accounts written over it."""
    options = cells.get("options")
    if isinstance(options, str):
        try:
            options = json.loads(options)
        except ValueError:
            outcome.errors.append(CellError("options", 'options is not valid JSON, like {"youtube": {"title": "…"}}.'))
            options = None
    option_cells = {c: v for c, v in cells.items() if "." in c}
    if not option_cells and not chosen:
        return options
    if options is None:
        options = {}
    if not isinstance(options, dict):
        return options  # read_schedule names the problem
    options = {name: dict(fields) if isinstance(fields, dict) else fields for name, fields in options.items()}
    for column, value in option_cells.items():
        platform, key = column.split(".", 1)
        fields = options.setdefault(platform, {})
        if isinstance(fields, dict):
            fields[key] = _option_value(platform, key, value)
    for account in chosen:
        fields = options.setdefault(account.platform, {})
        if isinstance(fields, dict):
            fields["account_id"] = account.blotato_account_id
    return options


def _matching_accounts(name: str, accounts: list[SocialAccount]) -> list[SocialAccount]:
    by_id = [a for a in accounts if a.blotato_account_id == name]
    if by_id:
        return by_id
    bare = name.removeprefix("@").lower()
    return [a for a in accounts if a.name.lower() == name.lower() or (a.username and a.username.lower() == bare)]


def _time(value: object) -> object:
    if isinstance(value, str) and value.strip().lower().replace(" ", "_") == NEXT_SLOT:
        return NEXT_SLOT
    return value


def _list(value: object) -> list[str] | None:
    if isinstance(value, str):
        return [part for part in LIST_SEPARATORS.split(value.strip()) if part]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    return None


TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0"}


def _option_value(platform: str, key: str, value: object) -> object:
    """A CSV cell as the option's type (true/false, a list); JSON values are taken as they are."""
    spec = RULES[platform].target_fields.get(key)
    if spec is None or not isinstance(value, str):
        return value
    if spec.kind is bool and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    if spec.kind is list:
        return _list(value)
    return value


def _title_from_url(url: object) -> str:
    if not isinstance(url, str):
        return "Imported clip"
    name = urlsplit(url.strip()).path.rstrip("/").rpartition("/")[2]
    return (name or "Imported clip")[:200]


# The API's field names, and the columns that carry them.
FIELD_COLUMNS = {"scheduled_time": "time", "caption": "caption", "platforms": "platforms", "publish_now": "time"}


def _column(problem: api_input.Problem, cells: dict) -> str:
    """The file's column a refusal is about, from the field and the details' keys."""
    for key in problem.details:
        if isinstance(key, str) and key.startswith("options."):
            column = ".".join(key.split(".")[1:3])
            return column if column in cells or "options" not in cells else "options"
    if problem.field == "clip_id":
        return "clip" if "clip" in cells else "media_url" if "media_url" in cells else "clip"
    if problem.field == "account":
        return "accounts" if "accounts" in cells else "platforms"
    if problem.field == "options":
        platform = str(next(iter(problem.details.values()), ""))
        dotted = [c for c in cells if c.startswith(f"{platform}.")]
        return dotted[0] if dotted and "options" not in cells else "options"
    return FIELD_COLUMNS.get(problem.field, problem.field)


def _message(problem: api_input.Problem) -> str:
    """The API's words, with its field names turned into the file's columns."""
    message = problem.message
    for api_words, file_words in MESSAGE_WORDS:
        message = message.replace(api_words, file_words)
    return message


MESSAGE_WORDS = (
    ("unless publish_now is true", "(a date and time, or next_slot)"),
    ("or set publish_now", "or use next_slot"),
    ("scheduled_time", "time"),
    ("choose a clip (clip_id)", "give clip or media_url"),
)


def planned_json(post: PlannedPost, zone: ZoneInfo) -> dict:
    return {
        "platform": post.platform,
        "account_id": post.account.blotato_account_id,
        "account": str(post.account),
        "scheduled_time": iso_utc(post.at),
        "local_time": post.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "slot": post.from_slot,
    }


def check_json(check: ImportCheck, *, committed: bool) -> dict:
    """The per-row outcome the API answers and the page shows."""
    zone = ZoneInfo(check.zone)
    return {
        "ok": check.ok,
        "committed": committed,
        "summary": check.summary(),
        "zone": check.zone,
        "row_count": len(check.rows),
        "post_count": check.post_count if check.ok else 0,
        "error_rows": check.error_rows,
        "rows": [
            {
                "row": row.number,
                "ok": not row.errors,
                "clip": None if row.clip in (None, FAILED) else {"title": row.clip.title, "new": row.new_clip},
                "posts": [planned_json(p, zone) for p in row.posts],
                "errors": [{"column": e.column, "message": e.message} for e in row.errors],
            }
            for row in check.rows
        ],
    }
