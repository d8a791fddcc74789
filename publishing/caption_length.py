"""How long a caption is, measured the way each platform measures it.

platforms.RULES says which measure a platform uses; static/publishing/caption_count.js is the
schedule dialog's live twin of every function here (same names, same patterns), and the browser
tests type the same strings into both and compare.

- X weighs characters (twitter-text's v3 configuration): code points in a few "light" ranges
  (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic scripts, common punctuation) weigh 1, every other
  one 2 (CJK, most symbols); an emoji, however many code points its sequence has, weighs 2; a link
  weighs 23 whatever its length (X shortens it to a t.co link). The text is NFC-normalised first.
- Bluesky counts graphemes: what a reader sees as one character, an emoji family included.
- Threads counts characters, but an emoji as its UTF-8 bytes (Meta's documentation).
- TikTok counts UTF-16 code units; the Meta platforms, LinkedIn and Pinterest do not say, so
  they get UTF-16 units too: never fewer than the code points, so a caption we accept is not
  refused for its length there.
- YouTube counts a description's UTF-8 bytes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import regex

GRAPHEME = regex.compile(r"\X")
# A grapheme that is an emoji: a pictographic code point, a flag (two regional indicators) or a
# keycap (a digit with U+20E3).
EMOJI = regex.compile(r"[\p{Extended_Pictographic}\U0001F1E6-\U0001F1FF\u20E3]")

# The links X counts as 23: with a scheme, from www., or a bare domain on a common top-level
# domain. Trailing punctuation stays text ("see example.com." is a link and a full stop).
SPACE = r" \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TLDS = "com|org|net|edu|gov|io|co|ai|app|dev|me|ly|tv|gg|info|biz|xyz|uk|de|fr|es|it|nl|eu|jp|cn|ca|au|us|in|br"
URL = regex.compile(
    rf"(?<![A-Za-z0-9_@.-])"
    rf"(?:https?://[^{SPACE}]*[^{SPACE}.,;:!?'\")\]]"
    rf"|(?:www\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+(?:{TLDS})(?![A-Za-z0-9-])"
    rf"(?:[/?#](?:[^{SPACE}]*[^{SPACE}.,;:!?'\")\]])?)?)",
    regex.IGNORECASE,
)
X_URL_WEIGHT = 23
X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def code_points(text: str) -> int:
    return len(text)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def graphemes(text: str) -> int:
    return len(GRAPHEME.findall(text))


def emoji_as_bytes(text: str) -> int:
    """Threads: one per character, an emoji's sequence as many as its UTF-8 bytes."""
    return sum(utf8_bytes(g) if EMOJI.search(g) else len(g) for g in GRAPHEME.findall(text))


def x_weighted(text: str) -> int:
    """X's weighted length: light code points 1, others 2, an emoji 2, a link 23."""
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for link in URL.finditer(text):
        total += _x_weigh(text[position : link.start()]) + X_URL_WEIGHT
        position = link.end()
    return total + _x_weigh(text[position:])


def _x_weigh(text: str) -> int:
    total = 0
    for grapheme in GRAPHEME.findall(text):
        if EMOJI.search(grapheme):
            total += 2
        else:
            total += sum(1 if _is_light(ord(c)) else 2 for c in grapheme)
    return total


def _is_light(code: int) -> bool:
    return any(start <= code <= end for start, end in X_LIGHT_RANGES)


@dataclass(frozen=True)
class Measure:
    """One way of counting: `name` is also the live counter's name for it (caption_count.js)."""

    name: str
    unit: str  # what messages call what is counted
    count: Callable[[str], int]
    explained: str  # the counter's tooltip


X_WEIGHTED = Measure("x_weighted", "characters", x_weighted, "as X counts: CJK and emoji 2, a link 23")
GRAPHEMES = Measure("graphemes", "characters", graphemes, "as Bluesky counts: each visible character once")
EMOJI_AS_BYTES = Measure("emoji_as_bytes", "characters", emoji_as_bytes, "as Threads counts: an emoji as its bytes")
UTF16_UNITS = Measure("utf16_units", "characters", utf16_units, "UTF-16 units: an emoji counts 2 or more")
UTF8_BYTES = Measure("utf8_bytes", "bytes", utf8_bytes, "UTF-8 bytes, as YouTube counts")
CODE_POINTS = Measure("code_points", "characters", code_points, "Unicode code points")
