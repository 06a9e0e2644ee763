"""Dutch money formatting for people: `€ 1.234.567`, `1,23 mln`. Machine formats never use it."""

from __future__ import annotations

import math


def _dutch_thousands(whole: int) -> str:
    return f"{whole:,}".replace(",", ".")


def euro(amount: float | None, *, symbol: bool = True) -> str:
    """Whole euros with thousands dots: `€ 1.234.567`, `€ -12.500`; None gives an em dash."""
    if amount is None or math.isnan(amount):
        return "—"
    whole = int(round(amount))
    text = ("-" if whole < 0 else "") + _dutch_thousands(abs(whole))
    return f"€ {text}" if symbol else text


def _dutch(number: float, digits: int) -> str:
    """`1782.5` -> `1.782,5`: thousands dots, decimal comma."""
    return f"{number:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def interval(lower: float | None, upper: float | None) -> str:
    """`1,10–1,32 mln`, `23,0–23,2 mln`, `845–930 k`: both bounds in one unit."""
    if lower is None or upper is None:
        return ""
    size = max(abs(lower), abs(upper))
    if size >= 1e6:
        digits = 1 if size >= 1e7 else 2  # keeps the cell as narrow as the amount above it
        return f"{_dutch(lower / 1e6, digits)}–{_dutch(upper / 1e6, digits)} mln"
    if size >= 1e4:
        return f"{_dutch(lower / 1e3, 0)}–{_dutch(upper / 1e3, 0)} k"
    return f"{_dutch(lower, 0)}–{_dutch(upper, 0)}"


def percent(share: float | None) -> str:
    """`0.734` -> `73 %` (Dutch spacing); None gives an em dash."""
    if share is None:
        return "—"
    return f"{share * 100:.0f} %"


def risk(share: float | None) -> str:
    """A probability as `percent` does, except that rounding never claims certainty: 0.998 is
    `>99 %` and 0.003 `<1 %`; only all paths (or none) give 100 % (0 %)."""
    shown = percent(share)
    if share is not None and share < 1.0 and shown == "100 %":
        return ">99 %"
    if share is not None and share > 0.0 and shown == "0 %":
        return "<1 %"
    return shown
