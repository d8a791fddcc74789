"""Captions are measured as each platform measures them (publishing/caption_length.py).

The numbers are worked out by hand from each platform's rule; the browser test
(tests/browser/test_first_start_browser.py) checks the dialog's live counter gives the same.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine

from publishing.api_input import check_caption
from publishing.bad_input import BadInput
from publishing.caption_length import code_points, emoji_as_bytes, graphemes, utf8_bytes, utf16_units, x_weighted
from publishing.models import ScheduledPost
from publishing.platforms import RULES

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦: 4 people, 3 joiners
FLAG = "\U0001f1eb\U0001f1f7"  # 🇫🇷: two regional indicators
WAVE = "\U0001f44b\U0001f3fd"  # 👋🏽: hand and skin tone
KEYCAP = "1\ufe0f\u20e3"  # 1️⃣
THUMBS = "\U0001f44d"  # 👍
E_ACUTE = "e\u0301"  # é written as e and a combining acute: NFC makes it one code point
A_UNDERLINED = "a\u0332"  # a and a combining low line: no precomposed form

# text: (X weighted, graphemes, code points, UTF-16 units, UTF-8 bytes, Threads' emoji-as-bytes)
CASES = {
    "hello": (5, 5, 5, 5, 5, 5),
    "日本語のテキスト": (16, 8, 8, 8, 24, 8),
    "한국어": (6, 3, 3, 3, 9, 3),
    THUMBS: (2, 1, 1, 2, 4, 4),
    FAMILY: (2, 1, 7, 11, 25, 25),
    FLAG: (2, 1, 2, 4, 8, 8),
    WAVE: (2, 1, 2, 4, 8, 8),
    KEYCAP: (2, 1, 3, 3, 7, 7),
    E_ACUTE: (1, 1, 2, 2, 3, 2),
    A_UNDERLINED: (2, 1, 2, 2, 3, 2),
    "Привет, мир": (11, 11, 11, 11, 20, 11),
    "a — b … c": (10, 9, 9, 9, 13, 9),  # the em dash is light for X, the ellipsis is not
    f"Hi {FAMILY}!": (6, 5, 11, 15, 29, 29),
}


@pytest.mark.parametrize("text", CASES, ids=[repr(t) for t in CASES])
def test_each_measure_counts_as_its_platform_does(text):
    assert (
        x_weighted(text),
        graphemes(text),
        code_points(text),
        utf16_units(text),
        utf8_bytes(text),
        emoji_as_bytes(text),
    ) == CASES[text]


@pytest.mark.parametrize(
    "text, weight",
    [
        ("Read https://example.com/a/very/long/path?with=query&and=more", 5 + 23),
        ("see example.com.", 4 + 23 + 1),  # the full stop is not part of the link
        ("(www.example.org/x)", 1 + 23 + 1),
        ("https://a.io https://b.io", 23 + 1 + 23),
        ("http://t.co/abc", 23),
        ("mail bob@example.com", 20),  # an address is not a link
        ("a.b and file.txt", 16),  # not a top-level domain X links
        ("日本 https://example.jp/パス", 2 * 2 + 1 + 23),
    ],
)
def test_x_counts_every_link_as_23(text, weight):
    assert x_weighted(text) == weight


def test_x_limit_is_280_weighted_so_140_cjk_characters_fit_and_141_do_not():
    check_caption("語" * 140, ["twitter"])
    with pytest.raises(BadInput) as refused:
        check_caption("語" * 141, ["twitter"])
    assert refused.value.message == "The caption is 282 characters; Twitter/X allows at most 280."


def test_bluesky_counts_an_emoji_family_once():
    check_caption(FAMILY * 300, ["bluesky"])  # 2,100 code points, 300 graphemes
    with pytest.raises(BadInput):
        check_caption(FAMILY * 301, ["bluesky"])


def test_youtube_counts_bytes_and_tiktok_utf16_units():
    assert RULES["youtube"].caption_length("é" * 10) == 20
    assert RULES["tiktok"].caption_length(THUMBS * 10) == 20
    assert RULES["instagram"].caption_length(THUMBS * 10) == 20


def test_the_error_names_every_platform_the_caption_is_too_long_for():
    with pytest.raises(BadInput) as refused:
        check_caption(THUMBS * 200, ["bluesky", "twitter", "instagram", "threads"])
    assert refused.value.message == (
        "The caption is too long for Twitter/X (400 characters; at most 280) and Threads (800 characters; at most 500)."
    )
    assert refused.value.details == {
        "caption": {
            "twitter": {"length": 400, "limit": 280, "unit": "characters"},
            "threads": {"length": 800, "limit": 500, "unit": "characters"},
        }
    }


@pytest.mark.django_db
def test_the_api_refuses_the_whole_schedule_naming_each_platform(alice_api):
    with time_machine.travel(datetime(2026, 11, 25, 12, tzinfo=UTC), tick=False):
        response = alice_api.post(
            "/api/publishing/schedule",
            data=json.dumps(
                {
                    "platforms": ["twitter", "bluesky", "threads", "linkedin"],
                    "scheduled_time": "2026-12-27T14:00:00Z",
                    "caption": FAMILY * 310,
                }
            ),
            content_type="application/json",
        )
    assert response.status_code == 400
    assert response.json()["error"] == (
        "The caption is too long for Twitter/X (620 characters; at most 280), Bluesky (310 characters; "
        "at most 300), Threads (7750 characters; at most 500) and LinkedIn (3410 characters; at most 3000)."
    )
    assert ScheduledPost.objects.count() == 0
