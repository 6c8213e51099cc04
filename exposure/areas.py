"""Which area a board means: `resolve_area(warehouse, "OH")` -> Area("39", "Ohio").

A board names an area as it writes it: a FIPS code with or without its leading zero ('6',
'06'), a postal abbreviation ('OH'), a name in any case ('ohio'), or 'US' for the nation.
Anything else is an error that suggests the closest areas, never a silent fallback to the
nation. The names come from the warehouse (`area_exposure`, the OEWS state estimates), so
an area OEWS does not publish (American Samoa) is refused with the list of those it does.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from exposure.codes import NATION_CODE, NATION_NAME, POSTAL, TERRITORIES
from exposure.errors import ConfigError
from exposure.warehouse import connect_read_only, table_names

NATION_WORDS = {"us", "usa", "u.s.", "united states", "nation", "national",
                NATION_NAME.lower()}
HOW = ("name an area by its FIPS code (6 or 06), postal abbreviation (OH), name (Ohio) or "
       "US for the nation")


@dataclass(frozen=True)
class Area:
    code: str  # 'US' or the 2-digit FIPS code
    name: str

    @property
    def is_nation(self) -> bool:
        return self.code == NATION_CODE


def known_areas(path: Path) -> dict[str, str]:
    """FIPS code -> name of the areas the warehouse's latest run has estimates for."""
    con = connect_read_only(path)
    try:
        if "latest_area_exposure" not in table_names(con):
            return {}
        rows = con.execute("SELECT DISTINCT area_code, area_name FROM latest_area_exposure "
                           "WHERE area_code <> ?", [NATION_CODE]).fetchall()
    finally:
        con.close()
    return dict(sorted(rows))


def _code(text: str, areas: dict[str, str]) -> str | None:
    """The FIPS code `text` names, or None."""
    if text.isdigit():
        return f"{int(text):02d}"
    by_postal = {postal: code for code, postal in POSTAL.items()}
    if text.upper() in by_postal:
        return by_postal[text.upper()]
    by_name = {name.lower(): code for code, name in areas.items()}
    return by_name.get(" ".join(text.lower().split()))


def _suggestions(text: str, areas: dict[str, str]) -> list[str]:
    """Areas whose name starts like `text` or is close to it, as 'Ohio (39)'."""
    names = {name.lower(): code for code, name in areas.items()}
    lowered = text.lower().strip()
    close = [n for n in names if n.startswith(lowered)] if len(lowered) >= 2 else []
    close += difflib.get_close_matches(lowered, list(names), n=3, cutoff=0.6)
    seen = list(dict.fromkeys(close))[:4]
    return [f"{areas[names[n]]} ({names[n]})" for n in seen]


def resolve_area(path: Path, text: str) -> Area:
    """The area `text` names in the warehouse at `path` (see the module's doc)."""
    text = text.strip()
    if text.lower() in NATION_WORDS:
        return Area(NATION_CODE, NATION_NAME)
    areas = known_areas(path)
    code = _code(text, areas)
    if code is not None and code in areas:
        return Area(code, areas[code])
    if code is not None and code in POSTAL:
        territories = [areas[c] for c in TERRITORIES if c in areas]
        raise ConfigError(f"OEWS publishes no state estimates for area {code} "
                          f"({POSTAL[code]})",
                          "it publishes them for the 50 states and DC"
                          + "".join(f", {name}" for name in territories))
    suggestions = _suggestions(text, areas)
    hint = (f"try {' or '.join(suggestions)}" if suggestions
            else f"{HOW}; the codes are {', '.join(areas) or 'not in this warehouse yet'}")
    raise ConfigError(f"unknown area '{text}'", hint)


def area_code(path: Path, text: str | None) -> str | None:
    """The FIPS code (or 'US') of `text`, None when no area is asked for."""
    return None if text is None else resolve_area(path, text).code
