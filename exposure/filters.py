"""How a board's filter words become SQL conditions (always with bound `?` parameters).

- Title search matches whole words, not substrings: "nurse" finds Registered Nurses and
  Nurse Practitioners but not "Crop, Nursery, and Greenhouse" farmworkers. A word matches
  its plural and a plural its singular (nurse, Nurses; secretary, Secretaries); several
  words must all occur, in any order. A code prefix (29-11) matches the codes that start with it.
- A major SOC group may be written 15, 15- or 15-0000.
"""

from __future__ import annotations

import re

from exposure.codes import SOC_MAJOR_SUFFIX
from exposure.errors import ConfigError

WORD = re.compile(r"[A-Za-z0-9]+")
MAJOR = re.compile(r"^(\d{2})(-(0000)?)?$")


def singulars(word: str) -> list[str]:
    """The singulars `word` may be the plural of (itself when it is no plural): nurses ->
    nurse (or nurs), buses -> bus (or buse), secretaries -> secretary."""
    lower = word.lower()
    if len(lower) > 4 and lower.endswith("ies"):
        return [word[:-3] + "y"]
    if len(lower) > 3 and lower.endswith("es"):
        return [word[:-1], word[:-2]]
    if len(lower) > 3 and lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        return [word[:-1]]
    return [word]


def word_pattern(word: str) -> str:
    """An RE2 pattern matching `word` (only letters and digits) as a whole word, singular
    or plural, whichever of the two it is written in."""
    stems = []
    for stem in singulars(word):
        if len(stem) > 2 and stem.lower().endswith("y") and stem.lower()[-2] not in "aeiou":
            stems.append(f"{stem[:-1]}(y|ies)")
        else:
            stems.append(f"{stem}(s|es)?")
    return rf"\b({'|'.join(stems)})\b"


def search_condition(text: str, title_columns: tuple[str, ...],
                     code_columns: tuple[str, ...]) -> tuple[str, list[object]]:
    """SQL (one condition) and parameters: every word of `text` in one of the title
    columns, or `text` a prefix of one of the code columns."""
    params: list[object] = []
    words = WORD.findall(text)
    parts = []
    if words:
        per_word = []
        for word in words:
            pattern = word_pattern(word)
            per_word.append("(" + " OR ".join(f"regexp_matches({c}, ?, 'i')"
                                              for c in title_columns) + ")")
            params.extend([pattern] * len(title_columns))
        parts.append("(" + " AND ".join(per_word) + ")")
    for column in code_columns:
        parts.append(f"{column} LIKE ?")
        params.append(f"{text.strip()}%")
    return "(" + " OR ".join(parts) + ")", params


def major_group(text: str | None) -> str | None:
    """'15', '15-' or '15-0000' -> '15-0000'; 'all' stays 'all'; None stays None."""
    if text is None or text.strip().lower() == "all":
        return None if text is None else "all"
    match = MAJOR.match(text.strip())
    if not match:
        raise ConfigError(f"'{text}' is not a major SOC group",
                          "write it as 15 or 15-0000 (the first two digits of its codes)")
    return f"{match.group(1)}{SOC_MAJOR_SUFFIX}"
