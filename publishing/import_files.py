"""Reading a bulk-import file (CSV or JSON) into rows of cells; what the cells mean is bulk_import's.

Everything wrong with the file as a whole (too big, not UTF-8, empty, no header, an unknown
column, JSON of the wrong shape, too many rows) is one BadInput naming it; nothing is checked
row by row until the file reads. docs/import.md is the format's reference.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field

from django.conf import settings

from .bad_input import BadInput
from .json_body import NOT_FINITE
from .platforms import RULES, normalise_platform

# The columns (and JSON keys) a row may have, besides "<platform>.<option>" ones.
COLUMNS = ("caption", "platforms", "accounts", "time", "clip", "media_url", "title", "options")
ALIASES = {"scheduled_time": "time", "clip_id": "clip", "account": "accounts", "platform": "platforms"}
OPTION_COLUMN = re.compile(r"^([A-Za-z]+)\.([A-Za-z_]+)$")


@dataclass
class ImportRow:
    number: int  # CSV: the spreadsheet's row number (the header is row 1); JSON: 1 for the first object
    cells: dict  # column name -> value (CSV: non-empty strings; JSON: as given)
    problem: str = ""  # a row the reader could not split into cells, e.g. more cells than columns
    headings: dict = field(default_factory=dict)  # column name -> the heading as the file wrote it


def option_key(platform: str, name: str) -> str | None:
    """The Blotato target field a column names: `tiktok.privacyLevel` or `tiktok.privacy_level`."""
    fields = RULES[platform].target_fields
    if name in fields or name == "account_id":
        return name
    camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)
    return camel if camel in fields else None


def column_name(heading: object) -> str | None:
    """The column a heading (or JSON key) stands for, in its canonical spelling; None if unknown."""
    if not isinstance(heading, str):
        return None
    text = heading.strip()
    lowered = text.lower()
    if lowered in COLUMNS:
        return lowered
    if lowered in ALIASES:
        return ALIASES[lowered]
    match = OPTION_COLUMN.match(text)
    if match:
        platform = normalise_platform(match.group(1))
        key = option_key(platform, match.group(2)) if platform else None
        if key:
            return f"{platform}.{key}"
    return None


def _unknown_column(heading: object, where: str) -> BadInput:
    match = OPTION_COLUMN.match(heading) if isinstance(heading, str) else None
    platform = normalise_platform(match.group(1)) if match else None
    if platform:
        options = ", ".join(sorted(RULES[platform].target_fields)) or "none"
        option = match.group(2)
        message = f"Unknown column '{heading}' {where}: {platform} has no option '{option}' (options: {options})."
    else:
        message = (
            f"Unknown column '{heading}' {where}. Columns: {', '.join(COLUMNS)}, "
            "and <platform>.<option> such as youtube.title."
        )
    return BadInput(message, {"column": str(heading), "known": list(COLUMNS)})


def read_upload(upload) -> bytes:
    """An uploaded file's bytes, refused unread if it is over the limit."""
    _check_size(upload.size)
    return upload.read()


def _check_size(size: int) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise BadInput(
            f"The file is {size:,} bytes; an import takes at most {limit:,} bytes (IMPORT_MAX_BYTES). "
            "Split it into smaller files.",
            {"file": "too large", "limit": limit},
            status=413,
        )


def read_file(content: bytes, *, name: str = "", kind: str = "") -> tuple[str, list[ImportRow]]:
    """(kind, rows) of an uploaded file; kind is "csv" or "json", from `kind`, the name or the content."""
    _check_size(len(content))
    try:
        text = content.decode("utf-8-sig")  # a spreadsheet's "UTF-8 CSV" starts with a BOM
    except UnicodeDecodeError as error:
        raise BadInput(
            f"The file is not UTF-8 text (byte {error.start + 1} cannot be read): save it as UTF-8 (CSV UTF-8).",
            {"file": "not UTF-8"},
        ) from None
    if not text.strip():
        raise BadInput("The file is empty: it needs a header line and a row per post.", {"file": "empty"})
    kind = (kind or _kind_from_name(name) or _kind_from_text(text)).lower()
    if kind == "json":
        return kind, read_json_rows(_parse_json(text))
    if kind == "csv":
        return kind, read_csv_text(text)
    raise BadInput('The format must be "csv" or "json".', {"format": kind})


def _kind_from_name(name: str) -> str:
    lowered = name.lower()
    return "json" if lowered.endswith(".json") else "csv" if lowered.endswith((".csv", ".txt")) else ""


def _kind_from_text(text: str) -> str:
    return "json" if text.lstrip()[:1] in ("[", "{") else "csv"


def _parse_json(text: str) -> object:
    def refuse(_constant):
        raise BadInput(NOT_FINITE)

    try:
        return json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as error:
        raise BadInput(f"Malformed JSON: {error.msg} at line {error.lineno} column {error.colno}.") from None
    except (ValueError, RecursionError):
        raise BadInput("The JSON cannot be read (a number too long, or nested too deeply).") from None


def read_csv_text(text: str) -> list[ImportRow]:
    first_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = _delimiter(first_line)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return read_table(list(records))
    except csv.Error as error:
        raise BadInput(f"The CSV cannot be read: {error}.", {"file": "malformed CSV"}) from None


def _delimiter(header: str) -> str:
    """Comma or semicolon (a spreadsheet in a decimal-comma locale): whichever splits the header
    into more known columns; a comma when they tie."""
    commas = sum(column_name(h) is not None for h in header.split(","))
    semicolons = sum(column_name(h) is not None for h in header.split(";"))
    return ";" if semicolons > commas else ","


def read_table(records: list[list]) -> list[ImportRow]:
    """Rows of cells, the first the header: a CSV, or the API's {"format": "csv", "rows": [[...]]}."""
    while records and not any(str(cell).strip() for cell in records[0]):
        records = records[1:]  # blank lines before the header
    if not records:
        raise BadInput("The file is empty: it needs a header line and a row per post.", {"file": "empty"})
    header = [str(cell) for cell in records[0]]
    columns = [column_name(h) for h in header]
    if not any(columns):
        shown = ", ".join(h for h in header[:3] if h.strip())[:80]
        raise BadInput(
            f"The first line must be a header naming the columns (caption, platforms, time, ...); it reads '{shown}'.",
            {"header": "missing"},
        )
    for heading, column in zip(header, columns, strict=True):
        if column is None and heading.strip():
            raise _unknown_column(heading.strip(), "in the header")
    named = [c for c in columns if c]
    repeated = sorted({c for c in named if named.count(c) > 1})
    if repeated:
        raise BadInput(f"The column {repeated[0]} appears twice in the header.", {"column": repeated[0]})
    _check_row_count(len(records) - 1)
    if not any(any(str(cell).strip() for cell in record) for record in records[1:]):
        raise BadInput("The file has a header but no posts: add a row per post below it.", {"file": "no rows"})
    headings = {column: heading.strip() for heading, column in zip(header, columns, strict=True) if column}
    rows = []
    for number, record in enumerate(records[1:], start=2):
        cells = [str(cell) for cell in record]
        if not any(cell.strip() for cell in cells):
            continue  # a blank line: skipped, but counted, so numbers match the spreadsheet's
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            problem = f"This row has {len(cells)} cells; the header names {len(header)} columns (a stray delimiter?)."
            rows.append(ImportRow(number, {}, problem, headings))
            continue
        values = {c: v.strip() if c != "caption" else v for c, v in zip(columns, cells, strict=False) if c}
        rows.append(ImportRow(number, {c: v for c, v in values.items() if v.strip()}, headings=headings))
    return rows


def read_json_rows(data: object) -> list[ImportRow]:
    """A JSON list of objects, or an object with "rows": that list."""
    if isinstance(data, dict):
        if set(data) != {"rows"}:
            raise BadInput(
                'A JSON import is a list of posts, or an object with only "rows": that list.',
                {"file": "wrong JSON shape", "keys": sorted(map(str, data))},
            )
        data = data["rows"]
    if not isinstance(data, list):
        raise BadInput("A JSON import is a list of posts (objects).", {"file": "wrong JSON shape"})
    if not data:
        raise BadInput("The file has no posts: the list is empty.", {"file": "empty"})
    _check_row_count(len(data))
    rows = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise BadInput(
                f"Row {number} is {_json_kind(item)}; each post must be an object like "
                '{"caption": "...", "platforms": ["tiktok"], "time": "next_slot"}.',
                {"row": number, "file": "wrong JSON shape"},
            )
        cells, headings = {}, {}
        for key, value in item.items():
            column = column_name(key)
            if column is None:
                raise _unknown_column(key, f"in row {number}")
            if column in cells:
                raise BadInput(f"Row {number} names {column} twice.", {"row": number, "column": column})
            if value is not None and value != "":
                cells[column] = value
                headings[column] = key
        rows.append(ImportRow(number, cells, headings=headings))
    return rows


def _json_kind(value: object) -> str:
    names = {str: "a string", list: "a list", bool: "true or false", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), "not an object")


def _check_row_count(count: int) -> None:
    limit = settings.IMPORT_MAX_ROWS
    if count > limit:
        raise BadInput(
            f"The file has {count:,} rows; an import takes at most {limit:,} (IMPORT_MAX_ROWS). Split it.",
            {"rows": count, "limit": limit},
            status=413,
        )
