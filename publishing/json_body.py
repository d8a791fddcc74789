"""Reading a request's JSON body: one object, finite numbers, and only the fields we know."""

from __future__ import annotations

import json
import math

from django.core.exceptions import RequestDataTooBig

from .bad_input import BadInput

NOT_FINITE = "The JSON holds a number that is not finite (NaN or Infinity); send a number."


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


def refuse_unknown_fields(data: dict, known: set[str]) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise BadInput(f"Unknown field(s): {', '.join(unknown)}.", {"unknown": unknown, "allowed": sorted(known)})


def _refuse_non_finite(constant: str):
    # Python reads NaN and Infinity, which JSON does not have; stored, they would make our answers
    # non-standard JSON.
    raise BadInput(NOT_FINITE)


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999
        raise BadInput(NOT_FINITE)
    return number
