"""Series keys: with a group column (gemeente) every group x category is its own series.

Inside carecast a grouped series is keyed by one text, group + SEPARATOR + category, so every
step that works per category (preparing, fitting, seeding, backtesting) works per series without
knowing about groups. The separator is a control character the loader removes from names, so
a key always splits back into its two parts. Outputs show the parts apart (json/csv: a `group`
field) or as "group / category" (`shown`).
"""

from __future__ import annotations

SEPARATOR = "\x1f"  # ASCII unit separator: never in a cleaned name


def series_key(group: str | None, category: str) -> str:
    return category if group is None else f"{group}{SEPARATOR}{category}"


def split_series(key: str) -> tuple[str | None, str]:
    """(group, category); group None for an ungrouped series."""
    group, found, category = key.partition(SEPARATOR)
    return (group, category) if found else (None, key)


def shown(key: str) -> str:
    """A key as people read it: "Midden-Drenthe / 6.72a Jeugdhulp begeleiding"."""
    return key.replace(SEPARATOR, " / ")
