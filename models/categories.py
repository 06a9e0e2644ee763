"""Care categories: the Iv3 care taakvelden and the rule that puts a category in a domain.

Every category rolls up to one domain: `jeugd` (Jeugdwet), `wmo` (Wmo 2015) or `overig`. A
category named after an Iv3 taakveld takes the taakveld's domain; any other name goes through a
keyword rule (see `domain_of`). An input's own `domain` column overrides both (`domains_for`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from models.series import split_series

DOMAINS: Final = ("jeugd", "wmo", "overig")
"""The domains, in the order tables list them."""


@dataclass(frozen=True, slots=True)
class Taakveld:
    """One Iv3 care taakveld: its code, its name, its domain and the budget years it is in use."""

    code: str
    name: str
    domain: str
    first_year: int
    last_year: int | None  # None: still in use

    @property
    def label(self) -> str:
        """`code name`, the way the CBS Iv3 files and ledgers write it."""
        return f"{self.code} {self.name}"


def _code_key(code: str) -> tuple[int, str, str]:
    # Iv3 care codes sort as decimals: 6.6 = 6.60 < 6.71 < 6.71a < 6.711 < 6.72a < 6.751.
    # The one exception in the whole chart: 0.10 and 0.11 follow 0.9.
    major, _, rest = code.partition(".")
    digits = rest.rstrip("abcdefghijklmnopqrstuvwxyz")
    letter = rest[len(digits):]
    if major == "0" and digits in ("10", "11"):
        digits = "9" + digits
    return int(major), digits.ljust(4, "0"), letter


def _block(first: int, last: int | None, rows: Iterable[tuple[str, str, str]]) -> list[Taakveld]:
    return [Taakveld(code, name, domain, first, last) for code, name, domain in rows]


# Names follow the CBS labels in the Iv3 files (Statistiek Financiën van Gemeenten, as copied in
# ../shared/data/nl_iv3_taakvelden/), written out where CBS truncated them with `..`, so that a
# category copied from an Iv3 export matches the table word for word.
#
# Iv3 taakvelden began in 2017. The four "maatwerk" and "geëscaleerde zorg" lines were split in
# 2023 (6.6 stayed); booking on the old codes is no longer allowed from begroting 2023 on.
_PRE_2023 = _block(2017, 2022, [
    ("6.71", "Maatwerkdienstverlening 18+", "wmo"),
    ("6.72", "Maatwerkdienstverlening 18-", "jeugd"),
    ("6.81", "Geëscaleerde zorg 18+", "wmo"),
    ("6.82", "Geëscaleerde zorg 18-", "jeugd"),
])
_2017_2024 = _block(2017, 2024, [
    ("6.6", "Maatwerkvoorziening (WMO)", "wmo"),
])
_2023_2024 = _block(2023, 2024, [
    ("6.71a", "Huishoudelijke hulp (WMO)", "wmo"),
    ("6.71b", "Begeleiding (WMO)", "wmo"),
    ("6.71c", "Dagbesteding (WMO)", "wmo"),
    ("6.71d", "Overige maatwerkarrangementen (WMO)", "wmo"),
    ("6.72a", "Jeugdhulp begeleiding", "jeugd"),
    ("6.72b", "Jeugdhulp behandeling", "jeugd"),
    ("6.72c", "Jeugdhulp dagbesteding", "jeugd"),
    ("6.72d", "Jeugdhulp zonder verblijf overig", "jeugd"),
    ("6.73a", "Pleegzorg", "jeugd"),
    ("6.73b", "Gezinsgericht", "jeugd"),
    ("6.73c", "Jeugdhulp met verblijf overig", "jeugd"),
    ("6.74a", "Jeugd behandeling GGZ zonder verblijf", "jeugd"),
    ("6.74b", "Jeugdhulp crisis/LTA/GGZ-verblijf", "jeugd"),
    ("6.74c", "Gesloten plaatsing", "jeugd"),
    ("6.81a", "Beschermd wonen (WMO)", "wmo"),
    ("6.81b", "Maatschappelijke- en vrouwenopvang", "wmo"),
    ("6.82a", "Jeugdbescherming", "jeugd"),
    ("6.82b", "Jeugdreclassering", "jeugd"),
])
# The 2025 codes, as they appear in ../shared/data/nl_iv3_taakvelden/iv3_2025_begroting.csv
# (CBS Iv3 begroting 2025): every 6.6x, 6.7xx and 6.8xx line of that file. Domains from the
# labels ("(WMO)", "Jeugd…", "PGB WMO" / "PGB Jeugd") and, for 6.811–6.822, from the 2023 line
# with the same name (see CODE_2025_FOR_2023). Truncated there: 6.714 ("Ov.  maatwerkarrangementen
# (WMO)") and 6.812 ("Maatschappelijke- en vrouwenopva..").
# Not in this table although the 2025 file has them: 6.21/6.22/6.23 (toegang) and 6.91/6.92
# (coördinatie en beleid). They are access and policy costs, not care; a category named after
# them falls through to the keyword rule ("6.22 Toegang en eerstelijnsvoorz. Jeugd" → jeugd).
_FROM_2025 = _block(2025, None, [
    ("6.60", "Hulpmiddelen en diensten (WMO)", "wmo"),
    ("6.711", "Huishoudelijke hulp (WMO)", "wmo"),
    ("6.712", "Begeleiding (WMO)", "wmo"),
    ("6.713", "Dagbesteding (WMO)", "wmo"),
    ("6.714", "Overige maatwerkarrangementen (WMO)", "wmo"),
    ("6.751", "Jeugdhulp ambulant lokaal", "jeugd"),
    ("6.752", "Jeugdhulp ambulant regionaal", "jeugd"),
    ("6.753", "Jeugdhulp ambulant landelijk", "jeugd"),
    ("6.761", "Jeugdhulp met verblijf lokaal", "jeugd"),
    ("6.762", "Jeugdhulp met verblijf regionaal", "jeugd"),
    ("6.763", "Jeugdhulp met verblijf landelijk", "jeugd"),
    ("6.791", "PGB WMO", "wmo"),
    ("6.792", "PGB Jeugd", "jeugd"),
    ("6.811", "Beschermd wonen (WMO)", "wmo"),
    ("6.812", "Maatschappelijke- en vrouwenopvang", "wmo"),
    ("6.821", "Jeugdbescherming", "jeugd"),
    ("6.822", "Jeugdreclassering", "jeugd"),
])

CODE_2025_FOR_2023: Final[Mapping[str, str]] = MappingProxyType({
    "6.6": "6.60",
    "6.71a": "6.711",
    "6.71b": "6.712",
    "6.71c": "6.713",
    "6.71d": "6.714",
    "6.81a": "6.811",
    "6.81b": "6.812",
    "6.82a": "6.821",
    "6.82b": "6.822",
})
"""2023 code → 2025 code, where one line simply got a new number (same name; 6.6 renamed
"Hulpmiddelen en diensten"). Amounts are still not like for like: from 2025 the PGB part moves to
6.791/6.792. The jeugdhulp lines have no one-to-one successor: 2023 splits them by kind of help
(6.72 zonder verblijf, 6.73 met verblijf, 6.74 GGZ/crisis/gesloten), 2025 by ambulant or met
verblijf × lokaal/regionaal/landelijk purchasing, so one 2023 line can land on three 2025 lines.
Compare those only per domain (or per ambulant/verblijf group)."""

CODE_2023_FOR_2025: Final[Mapping[str, str]] = MappingProxyType(
    {new: old for old, new in CODE_2025_FOR_2023.items()}
)

TAAKVELDEN: Final[tuple[Taakveld, ...]] = tuple(
    sorted(
        [*_PRE_2023, *_2017_2024, *_2023_2024, *_FROM_2025],
        key=lambda t: (_code_key(t.code), t.first_year),
    )
)
"""Every Iv3 care taakveld, in Iv3 code order."""

TAAKVELD_BY_CODE: Final[Mapping[str, Taakveld]] = MappingProxyType(
    {t.code: t for t in TAAKVELDEN}
)

# A leading Iv3 code: "6.72a", "6,72a" (Excel with a Dutch locale), "6.72A", followed by the end
# or by a non-word character ("6.72a Jeugdhulp begeleiding", "6.72a - …", "6.72a: …").
_DOTTED = re.compile(r"\s*(\d{1,2})[.,](\d{1,3})([a-z])?(?!\w)")
# The same without the dot, as some ledgers number accounts: "672a", "6711", "660". Only for
# chapter 6 and three or four digits, so a year ("2023 …") or a short number is not taken for one.
_COMPACT = re.compile(r"\s*(6)(\d{2,3})([a-z])?(?!\w)")


def leading_code(category: str) -> str | None:
    """The Iv3-shaped code at the start of `category`, normalised ("6,72A x" → "6.72a").

    Any code shape counts here, also codes outside the care table ("0.10 Mutaties reserves");
    `taakveld_of` is the lookup in the table.
    """
    text = category.casefold()
    match = _DOTTED.match(text)
    if match is not None:
        return f"{int(match[1])}.{match[2]}{match[3] or ''}"
    match = _COMPACT.match(text)
    if match is None:
        return None
    code = f"{match[1]}.{match[2]}{match[3] or ''}"
    return code if code in TAAKVELD_BY_CODE else None


def taakveld_of(category: str) -> Taakveld | None:
    """The care taakveld whose code starts `category` ("6.72a", "6.72a Jeugdhulp …"), if any."""
    code = leading_code(category)
    return None if code is None else TAAKVELD_BY_CODE.get(code)


# --- the keyword rule -------------------------------------------------------------------------
# Words are compared after case folding and removing accents ("Geëscaleerde" → "geescaleerde"),
# split on anything that is not a letter or digit ("Wmo-vervoer" → "wmo", "vervoer").
_JEUGD_PREFIXES: Final = (
    "jeugd",  # jeugd, jeugdhulp, jeugdzorg, jeugdwet, jeugdbescherming, jeugdreclassering, …
    "pleegzorg", "pleegouder", "pleeggezin",
    "gezinshui", "gezinsgericht",  # gezinshuis/gezinshuizen; 6.73b: care in a family setting
)
# Youth words that are not youth *care*: youth health care (JGZ, public health), youth work and
# youth sport. They count as no word at all, so "Jeugdgezondheidszorg" ends in overig.
_NOT_JEUGD_PREFIXES: Final = ("jeugdgezondheid", "jeugdwerk", "jeugdsport")
_JEUGD_PHRASES: Final = ("gesloten plaatsing",)
_WMO_PREFIXES: Final = (
    "wmo",  # wmo, wmo2015, "Wmo-vervoer"
    "begeleiding",  # not "begeleide" (6.4 Begeleide participatie is work, not Wmo)
    "hbh",  # hulp bij het huishouden
    "maatwerkvoorziening", "maatwerkarrangement",
    "hulpmiddel", "woningaanpassing", "woonvoorziening",
    "vervoersvoorziening", "regiotaxi", "scootmobiel", "rolstoel",
    "vrouwenopvang", "nachtopvang",
    "mantelzorg",
)
_WMO_INFIXES: Final = ("dagbesteding",)  # also inside compounds: "groepsdagbesteding"
_WMO_PHRASES: Final = (
    "huishoudelijke hulp", "hulp bij het huishouden", "huishoudelijke ondersteuning",
    "beschermd wonen", "maatschappelijke opvang", "collectief vervoer",
)
# Iv3's pre-2023 labels tell the domains apart by age only: "… 18-" is youth, "… 18+" adults.
_UNDER_18 = re.compile(r"(?<![\d.,])18\s*-(?!\w)")
_ADULT_18 = re.compile(r"(?<![\d.,])18\s*\+")
_WORD = re.compile(r"[a-z0-9]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _keyword_domain(text: str) -> str:
    folded = _fold(text)
    words = _WORD.findall(folded)
    joined = f" {' '.join(words)} "

    def has_prefix(prefixes: tuple[str, ...], unless: tuple[str, ...] = ()) -> bool:
        return any(w.startswith(prefixes) and not (unless and w.startswith(unless)) for w in words)

    def has_phrase(phrases: tuple[str, ...]) -> bool:
        return any(f" {p} " in joined for p in phrases)

    if (
        has_prefix(_JEUGD_PREFIXES, _NOT_JEUGD_PREFIXES)
        or has_phrase(_JEUGD_PHRASES)
        or _UNDER_18.search(folded)
    ):
        return "jeugd"
    if (
        has_prefix(_WMO_PREFIXES)
        or any(infix in w for w in words for infix in _WMO_INFIXES)
        or has_phrase(_WMO_PHRASES)
        or _ADULT_18.search(folded)
    ):
        return "wmo"
    return "overig"


def domain_of(category: str) -> str:
    """The domain of a category: "jeugd", "wmo" or "overig". First rule that applies wins:

    1. Iv3 code. A category that starts with a care taakveld code from `TAAKVELDEN` takes that
       taakveld's domain, whatever words follow: "6.72a", "6.72a Jeugdhulp begeleiding",
       "6,72A", "672a", "6711 Huishoudelijke hulp". A code outside the table (6.3, 6.22, 0.10 …)
       is ignored and the whole text goes to the keyword rule.
    2. Youth-care word → "jeugd". A word starting with jeugd (jeugdhulp, jeugdzorg, jeugdwet,
       jeugdbescherming, jeugdreclassering, jeugd-ggz …), pleegzorg/pleegouder/pleeggezin,
       gezinshui(s/zen), gezinsgericht; the phrase "gesloten plaatsing"; or "18-". Not youth care,
       and so not counted: words starting with jeugdgezondheid (JGZ), jeugdwerk, jeugdsport.
    3. Wmo word → "wmo". A word starting with wmo, begeleiding, hbh, maatwerkvoorziening,
       maatwerkarrangement, hulpmiddel, woningaanpassing, woonvoorziening, vervoersvoorziening,
       regiotaxi, scootmobiel, rolstoel, vrouwenopvang, nachtopvang or mantelzorg; a word
       containing dagbesteding; the phrases "huishoudelijke hulp", "hulp bij het huishouden",
       "huishoudelijke ondersteuning", "beschermd wonen", "maatschappelijke opvang", "collectief
       vervoer"; or "18+".
    4. Otherwise "overig".

    Youth words win over Wmo words because youth-care names reuse the Wmo vocabulary
    ("Jeugdhulp begeleiding", "Jeugdhulp dagbesteding", "PGB Jeugd"), never the other way round.
    Words are compared case- and accent-insensitively after splitting on non-letters; bare
    "vervoer", "opvang" and "pgb" are deliberately no Wmo words (leerlingenvervoer, kinderopvang
    and PGB Jeugd are not Wmo).
    """
    taakveld = taakveld_of(category)
    if taakveld is not None:
        return taakveld.domain
    return _keyword_domain(category)


def normalize_domain(value: str) -> str | None:
    """A declared domain ("Jeugd", "jeugdzorg", "WMO", "Wmo 2015", "overig") as one of DOMAINS.

    Blank gives None (nothing declared). A value that names no domain gives "overig", so a typo
    shows up as a visible "overig" row rather than as a silent guess.
    """
    text = value.strip()
    if not text:
        return None
    folded = _fold(text)
    if folded in DOMAINS:
        return folded
    return _keyword_domain(text)


def domains_for(
    categories: Iterable[str], declared: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Category → domain. A declared domain (an input's `domain` column) wins over `domain_of`.

    Declared values are normalised with `normalize_domain`; a blank declared value counts as
    not declared. Declarations for categories not in `categories` are ignored.
    """
    declared = declared or {}
    result: dict[str, str] = {}
    for key in categories:
        category = split_series(key)[1]  # a group's series has its category's domain
        given = declared.get(category)
        chosen = normalize_domain(given) if given is not None else None
        result[key] = chosen if chosen is not None else domain_of(category)
    return result


def domain_sort_key(category: str, domain: str | None = None) -> tuple[object, ...]:
    """Sort key for tables: by domain (DOMAINS order), then Iv3 code, then name.

    Categories without a code come after the coded ones of their domain, alphabetically.
    Pass `domain` when it was declared in the input; otherwise `domain_of` decides.
    """
    group, category = split_series(category)  # a group's series sort together, by group
    chosen = domain if domain is not None else domain_of(category)
    rank = DOMAINS.index(chosen) if chosen in DOMAINS else len(DOMAINS)
    code = leading_code(category)
    coded: tuple[object, ...] = (0, *_code_key(code)) if code is not None else (1,)
    by_group: tuple[object, ...] = () if group is None else (group.casefold(), group)
    return (*by_group, rank, coded, category.casefold(), category)
