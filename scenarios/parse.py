"""Scenario files: read, resolve `extends`, validate strictly, and write back.

Rules (see also DESIGN.md, "Scenario files (TOML)"):

* Every problem in a file is reported at once, each with the file, the dotted key path
  (`measure[2].effect_percent ("POH jeugd")`, entries counted from 1) and, where the scan can
  place it, the line; TOML syntax errors also give the column. Nothing is ignored: unknown keys
  and unknown categories are errors with the closest known names, and a file with any problem
  changes nothing (ProblemList, exit 2).
* Months: a TOML date on the 1st (`2026-07-01`) or the text "2026-07" / "2026-07-01". A date on
  another day is an error ("months start on the 1st"), not rounded to a month.
* Percent keys end in `_percent` and take the number of percent. A value strictly between −1 and
  1 (other than 0) looks like a fraction (0.05 for 5 %) and is an error; so is one above 50.
  Both are allowed, for one entry, with `unusual_percent_ok = true`. Below −100 and above 1000
  are always errors. `correction_percent` (a difference of two rates) may be small. Euro
  amounts have at most cents and are at most € 10^12 (beyond that is a slip, and 1e308 would
  overflow once multiplied).
* `extends = "other.toml"` (relative to the extending file, recursively; a cycle is an error):
  the child's `name` and, when given, `description` win; the budget is merged per category and
  year (the child's amount wins; "6.72a" and "6.72a Jeugdhulp begeleiding" are one category);
  [[indexation]], [[volume]], [[measure]] and [[one_off]] are the parent's followed by the
  child's, except that a child's entry replaces the parent's entries with the same identity:
  measures and one-offs by name, indexations by year and applies_to, volumes by applies_to and
  `from`. So a variant changes one measure without copying the rest. Within one file a measure
  name is used once (checked on the raw entries, so also when one of them has other errors).
* At most one adjustment of a kind per category at a time: two measures, two volume growths, or
  two indexations of one year that reach one category (directly, or through its domain) in
  overlapping periods are an error, not stacked in some order.
* With `categories` (the data's category names) every category named in the file must match one
  of them (`match_category`); a name with an Iv3 code and a label must agree with the data on
  both (`label_mismatch`: "6.72a Jeugdhulp behandeling" is not the data's "6.72a Jeugdhulp
  begeleiding"). A budget line for a category the data lacks is an error only when it budgets
  something: a 0 line (an Iv3 begroting lists every taakveld) is ignored. Without `categories`,
  only the form is checked.
* With `first_forecast_month`, a one-off in an earlier month is an error: the actuals already
  hold it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import tomli_w

from models.categories import (
    CODE_2023_FOR_2025,
    CODE_2025_FOR_2023,
    TAAKVELD_BY_CODE,
    domain_of,
    leading_code,
)
from models.errors import CarecastError, UsageError
from scenarios.budget import (
    BudgetPart,
    budget_to_dict,
    category_identity,
    read_budget_document,
    read_budget_table,
)
from scenarios.schema import (
    DOMAIN_NAMES,
    Budget,
    Indexation,
    Measure,
    OneOff,
    Scenario,
    Volume,
)
from scenarios.toml_files import (
    KeyPath,
    Problems,
    TomlDocument,
    cents_hint,
    check_amount,
    check_keys,
    check_year,
    did_you_mean,
    plain_number,
    raise_problems,
    read_document,
    short_number,
    take_bool,
    take_int,
    take_month,
    take_number,
    take_str,
    take_str_list,
    take_table,
    take_table_list,
)

OVERRIDE_KEY = "unusual_percent_ok"
TOP_KEYS = ("scenario", "budget", "indexation", "volume", "measure", "one_off")
SCENARIO_KEYS = ("name", "description", "extends")
INDEXATION_KEYS = (
    "year",
    "tariff_percent",
    "ova_percent",
    "ppc_percent",
    "ova_weight",
    "correction_percent",
    "applies_to",
    OVERRIDE_KEY,
)
VOLUME_KEYS = ("growth_percent_per_year", "from", "until", "applies_to", OVERRIDE_KEY)
MEASURE_KEYS = (
    "name",
    "start",
    "end",
    "effect_percent",
    "effect_eur_per_month",
    "ramp_months",
    "applies_to",
    OVERRIDE_KEY,
)
ONE_OFF_KEYS = ("name", "category", "month", "amount_eur")
DEFAULT_OVA_WEIGHT = Decimal("0.9")
MAX_PERCENT = Decimal(1000)  # even with unusual_percent_ok: beyond this is a slip, not a plan

# Words people write for our keys (mostly the Dutch ones), so the hint can name the right key.
_ALIASES = {
    "begroting": "budget",
    "budgetten": "budget",
    "indexatie": "indexation",
    "indexering": "indexation",
    "maatregel": "measure",
    "maatregelen": "measure",
    "volumegroei": "volume",
    "groei": "volume",
    "eenmalig": "one_off",
    "oneoff": "one_off",
    "one-off": "one_off",
    "naam": "name",
    "omschrijving": "description",
    "beschrijving": "description",
    "van": "from",
    "tot": "until",
    "to": "until",
    "categorie": "category",
    "bedrag": "amount_eur",
    "amount": "amount_eur",
    "maand": "month",
    "jaar": "year",
    "begin": "start",
    "einde": "end",
    "from": "start",
    "until": "end",
    "start": "from",
    "end": "until",
    "eenheid": "unit",
}


# --- category matching ------------------------------------------------------------------------


def _spaced(name: str) -> str:
    return " ".join(name.split()).casefold()


def match_category(name: str, categories: Sequence[str]) -> str | None:
    """The data category that `name` (from a scenario or budget) means, or None.

    In order: the same text; the same text up to case and spacing; the same Iv3 code at the
    start ("6.72a" or "6.72A - jeugdhulp begeleiding" → "6.72a Jeugdhulp begeleiding"), if
    exactly one data category has that code. No guessing beyond that: the 2023 and 2025 codes
    of a renumbered line are different categories here. Whether a label written with the code
    agrees with the category found is `label_mismatch`'s question (load_scenario asks it).
    """
    if name in categories:
        return name
    spaced = _spaced(name)
    same = [category for category in categories if _spaced(category) == spaced]
    if len(same) == 1:
        return same[0]
    code = leading_code(name)
    if code is None:
        return None
    coded = [category for category in categories if leading_code(category) == code]
    return coded[0] if len(coded) == 1 else None


# The Iv3 code at the start of a name, as models.categories.leading_code reads it ("6.72a",
# "6,72A", "672a"), and the separators people put after it ("6.72a - …", "6.72a: …").
_CODE_PREFIX = re.compile(r"\s*(?:\d{1,2}[.,]\d{1,3}[a-z]?|6\d{2,3}[a-z]?)(?!\w)", re.IGNORECASE)
_TRUNCATED = ("..", "…")  # CBS cuts long labels: "6.74a Jeugd behandeling GGZ zonder .."


def _label(name: str) -> str:
    """The label after the Iv3 code: "6.72a - Jeugdhulp begeleiding" → "Jeugdhulp begeleiding"."""
    match = _CODE_PREFIX.match(name) if leading_code(name) is not None else None
    rest = name[match.end() :] if match is not None else ""
    return rest.strip().lstrip("-–—:;|").strip()


def _fold_label(text: str) -> str:
    """Labels compare without case, accents and spacing ("Geëscaleerde" = "geescaleerde")."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return " ".join(plain.split()).casefold()


def _same_label(written: str, known: str) -> bool:
    if written == known:
        return True
    for cut in _TRUNCATED:  # a label copied from a CBS file, truncated there
        stem = written.removesuffix(cut).rstrip()
        if written.endswith(cut) and stem and known.startswith(stem):
            return True
    return False


def label_mismatch(name: str, category: str) -> tuple[str, str] | None:
    """(problem, hint) when `name` carries a code and a label that disagree with `category`.

    `category` is the data category that match_category found for `name` by its code. The
    label must be the data's label or the official Iv3 name of the code (a budget made by
    `budget from-iv3` names lines that way, whatever the ledger calls them), compared without
    case, accents and spacing; a label that CBS truncated with ".." may stop early. Otherwise
    "6.72a Jeugdhulp behandeling" would act on 6.72a Jeugdhulp begeleiding while its writer
    meant 6.72b, or a typo in the label would go unnoticed. The code alone always matches.
    """
    code = leading_code(name)
    written = _label(name)
    if code is None or not written or name == category:
        return None
    accepted = [_fold_label(_label(category))]
    taakveld = TAAKVELD_BY_CODE.get(code)
    if taakveld is not None:
        accepted.append(_fold_label(taakveld.name))
    accepted = [label for label in accepted if label]
    folded = _fold_label(written)
    if not accepted or any(_same_label(folded, label) for label in accepted):
        return None
    return (
        f"'{name}': code {code} is '{category}' in the data, but the name says '{written}'",
        f"write the code alone ('{code}') or the category as the data names it",
    )


def _domain_name(name: str) -> str | None:
    folded = name.strip().casefold()
    return folded if folded in DOMAIN_NAMES else None


def resolve_applies_to(
    applies_to: Sequence[str],
    categories: Sequence[str],
    domains: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """The data categories an `applies_to` reaches, in data order; () applies to all of them.

    Domain names reach every category of that domain (`domains`, else models.categories
    .domain_of); other names go through `match_category`. Names that match nothing are skipped
    here: load_scenario has already refused them.
    """
    return _resolve(tuple(applies_to), categories, _domain_lookup(domains))


def _domain_lookup(domains: Mapping[str, str] | None) -> Callable[[str], str]:
    def lookup(category: str) -> str:
        if domains is not None and category in domains:
            return domains[category]
        return domain_of(category)

    return lookup


def _other_edition(code: str, categories: Sequence[str]) -> str | None:
    """A hint when `code` belongs to another edition of the Iv3 chart than all the data's codes
    (a 2025 budget against 2023 data): no name is close then, and similar words mislead."""
    wanted = TAAKVELD_BY_CODE.get(code)
    found = [t for t in (TAAKVELD_BY_CODE.get(leading_code(c) or "") for c in categories) if t]
    if wanted is None or not found:
        return None
    first = min(t.first_year for t in found)
    last = max(t.last_year or 9999 for t in found)
    if wanted.first_year <= last and (wanted.last_year or 9999) >= first:
        return None  # the same edition: an ordinary misspelling
    years = (
        f"of {wanted.first_year}–{wanted.last_year}" if wanted.last_year
        else f"from {wanted.first_year} on"
    )  # fmt: skip
    return (
        f"{code} is an Iv3 code {years}, and the data's codes are of another edition; the "
        "chart was renumbered, so no category matches: make the budget from a begroting of "
        "the data's years (carecast budget from-iv3)"
    )


def _closest_categories(name: str, categories: Sequence[str], extra: Sequence[str] = ()) -> str:
    """A hint for an unknown category: the closest names, or a 2023/2025 code, or the list."""
    code = leading_code(name)
    if code is not None:
        other = CODE_2023_FOR_2025.get(code) or CODE_2025_FOR_2023.get(code)
        if other is not None:
            found = [c for c in categories if leading_code(c) == other]
            if len(found) == 1:
                year = "2025" if code in CODE_2023_FOR_2025 else "2023"
                return (
                    f"{code} is the {year} code; the data has '{found[0]}', but amounts are not "
                    "like for like across the renumbering: make the budget from a begroting of "
                    "the data's years"
                )
        edition = _other_edition(code, categories)
        if edition:
            return edition
    candidates: dict[str, str] = {}
    for category in [*categories, *extra]:
        candidates.setdefault(category, category)
        code_of = leading_code(category)
        if code_of is not None:
            bare = category.split(None, 1)[1] if " " in category.strip() else category
            candidates.setdefault(bare, category)
    close = did_you_mean(name, candidates, count=3)
    if code is not None:
        bare_name = name.split(None, 1)[1] if " " in name.strip() else ""
        if bare_name:
            close += did_you_mean(bare_name, candidates, count=3)
    named = list(dict.fromkeys(candidates[c] for c in close))[:3]
    if named:
        return "did you mean " + " or ".join(f"'{c}'" for c in named) + "?"
    listed = ", ".join(f"'{c}'" for c in categories[:4])
    more = f" … ({len(categories)} in all)" if len(categories) > 4 else ""
    return f"the data's categories: {listed}{more}"


# --- one file -------------------------------------------------------------------------------

T = TypeVar("T")


@dataclass(frozen=True)
class _Origin:
    """Where an entry was written: its file's problem collector and its key path."""

    problems: Problems
    path: KeyPath

    def add(self, problem: str, hint: str | None = None, *, key: str | None = None) -> None:
        self.problems.add(self.path.key(key) if key else self.path, problem, hint)

    def named(self, other: _Origin) -> str:
        """This entry's path, seen from `other`: with the file when the two files differ."""
        if self.problems.source == other.problems.source:
            return self.path.dotted
        return f"{self.path.dotted} in {self.problems.source}"


@dataclass
class _File:
    """One scenario file, validated in form, before `extends` is applied."""

    source: str
    problems: Problems
    name: str | None = None
    description: str | None = None
    extends: str | None = None
    extends_origin: _Origin | None = None
    budget: BudgetPart | None = None
    budget_file_origin: _Origin | None = None
    indexation: list[tuple[Indexation, _Origin]] = field(default_factory=list)
    volume: list[tuple[Volume, _Origin]] = field(default_factory=list)
    measure: list[tuple[Measure, _Origin]] = field(default_factory=list)
    one_off: list[tuple[OneOff, _Origin]] = field(default_factory=list)
    # every category or domain name the file writes, also in entries with other problems, so
    # a misspelt name is reported together with them (not only after they are fixed)
    names: list[tuple[str, bool, _Origin]] = field(default_factory=list)


def _written_names(
    data: Mapping[str, object], problems: Problems
) -> Iterator[tuple[str, bool, _Origin]]:
    """(name, may be a domain, where) for every applies_to item and one_off category."""
    for key in ("indexation", "volume", "measure", "one_off"):
        entries = data.get(key)
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                continue
            label = entry.get("name")
            path = KeyPath((key,)).item(
                index, label.strip() if isinstance(label, str) and label.strip() else None
            )
            if key == "one_off":
                category = entry.get("category")
                if isinstance(category, str) and category.strip():
                    yield category, False, _Origin(problems, path.key("category"))
                continue
            names = entry.get("applies_to")
            if isinstance(names, list):
                for item, name in enumerate(names, start=1):
                    if isinstance(name, str) and name.strip():
                        at = path.key("applies_to").item(item)
                        yield name, True, _Origin(problems, at)


def _percent(
    entry: Mapping[str, object],
    key: str,
    path: KeyPath,
    problems: Problems,
    *,
    override: bool,
    required: bool = False,
    fraction_check: bool = True,
    hint_missing: str | None = None,
) -> Decimal | None:
    value = take_number(entry, key, path, problems, required=required, hint_missing=hint_missing)
    if value is None:
        return None
    at, shown = path.key(key), plain_number(value)
    if value < -100:
        problems.add(
            at,
            f"{key} {short_number(value)} is below -100 %",
            "a percentage can take away everything (-100) but no more",
        )
        return None
    if value > MAX_PERCENT:
        problems.add(
            at,
            f"{key} {short_number(value)} is implausibly large (above 1000 %)",
            "check the digits: percent keys take the number of percent (4.96 means 4.96 %)",
        )
        return None
    if override:
        return value
    if value > 50:
        problems.add(
            at,
            f"{key} {shown} is above 50 %",
            f"percent keys take the number of percent ({shown} means {shown} %); "
            f"if you mean it, add {OVERRIDE_KEY} = true to this entry",
        )
        return None
    if fraction_check and 0 < abs(value) < 1:
        times = plain_number(value * 100)
        problems.add(
            at,
            f"{shown} is {shown} %; for {times} % write {times}",
            f"keys ending in _percent take the number of percent; if you do mean {shown} %, "
            f"add {OVERRIDE_KEY} = true to this entry",
        )
        return None
    return value


def _applies_to(
    entry: Mapping[str, object], path: KeyPath, problems: Problems
) -> tuple[str, ...] | None:
    """Domains (normalised to lower case) and categories (as written); None when wrong."""
    if "applies_to" not in entry:
        return ()
    names = take_str_list(entry, "applies_to", path, problems)
    if names is None:
        return None
    result: list[str] = []
    seen: set[str] = set()
    ok = True
    for index, name in enumerate(names, start=1):
        at = path.key("applies_to").item(index)
        if not name.strip():
            problems.add(at, "an empty name in applies_to", "name a domain or a category")
            ok = False
            continue
        domain = _domain_name(name)
        identity = f"domain:{domain}" if domain else category_identity(name)
        if identity in seen:
            problems.add(at, f"'{name}' is listed twice in applies_to", "list it once")
            ok = False
            continue
        seen.add(identity)
        result.append(domain or name)
    return tuple(result) if ok else None


def _override(entry: Mapping[str, object], path: KeyPath, problems: Problems) -> bool:
    return take_bool(entry, OVERRIDE_KEY, path, problems) or False


def _read_indexation(entry: dict[str, Any], path: KeyPath, problems: Problems) -> Indexation | None:
    before = len(problems.found)
    check_keys(entry, INDEXATION_KEYS, path, problems, aliases=_ALIASES)
    override = _override(entry, path, problems)
    year = take_int(
        entry,
        "year",
        path,
        problems,
        required=True,
        example=2027,
        hint_missing="write year = 2027 (tariffs change from January of that year)",
    )
    if year is not None and not check_year(year, path.key("year"), problems):
        year = None
    tariff = _percent(entry, "tariff_percent", path, problems, override=override)
    ova = _percent(entry, "ova_percent", path, problems, override=override)
    ppc = _percent(entry, "ppc_percent", path, problems, override=override)
    correction = _percent(
        entry, "correction_percent", path, problems, override=override, fraction_check=False
    )
    weight = take_number(entry, "ova_weight", path, problems)
    if weight is not None and not 0 <= weight <= 1:
        shown = plain_number(weight)
        # 90 is a percentage written for a share; 1.5 is not "1.5 %" (nobody weighs OVA 0.015)
        hint = (
            f"ova_weight is a share: write {plain_number(weight / 100)} for {shown} %"
            if 10 <= weight <= 100
            else "ova_weight is the OVA share, between 0 and 1: the VNG method uses 0.9"
        )
        problems.add(path.key("ova_weight"), f"ova_weight {shown} is not between 0 and 1", hint)
        weight = None
    applies_to = _applies_to(entry, path, problems)

    has_tariff = "tariff_percent" in entry
    parts = [key for key in ("ova_percent", "ppc_percent") if key in entry]
    if has_tariff and parts:
        problems.add(
            path.key("tariff_percent"),
            "give tariff_percent or ova_percent and ppc_percent, not both",
            "tariff_percent is the whole rate; the parts are weighed into one",
        )
    elif has_tariff:
        for key in ("correction_percent", "ova_weight"):
            if key in entry:
                problems.add(
                    path.key(key),
                    f"{key} goes with ova_percent and ppc_percent, not with tariff_percent",
                    "tariff_percent is the whole rate: add a correction to it, or give the "
                    "parts ova_percent, ppc_percent and correction_percent",
                )
    elif not parts:
        problems.add(
            path,
            "an indexation needs a rate",
            "write tariff_percent = 4.96, or the VNG parts ova_percent = 4.18 and "
            "ppc_percent = 1.82 (with correction_percent for the catch-up of an earlier year)",
            needs_whole_table=True,
        )
    elif len(parts) == 1:
        missing = "ppc_percent" if parts == ["ova_percent"] else "ova_percent"
        problems.add(
            path.key(missing),
            f"{missing} is missing",
            "the VNG rate weighs both: OVA (arbeidskosten) and ppc (prijzen)",
            needs_whole_table=True,
        )
    if len(problems.found) > before or year is None or applies_to is None:
        return None
    if has_tariff:
        if tariff is None:
            return None
        return Indexation(year=year, tariff_percent=float(tariff), applies_to=applies_to)
    if ova is None or ppc is None:
        return None
    share = weight if weight is not None else DEFAULT_OVA_WEIGHT
    catch_up = correction if correction is not None else Decimal(0)
    rate = share * ova + (1 - share) * ppc + catch_up  # exact: the parts are Decimals
    return Indexation(
        year=year,
        tariff_percent=float(rate),
        applies_to=applies_to,
        ova_percent=float(ova),
        ppc_percent=float(ppc),
        ova_weight=float(share),
        correction_percent=float(catch_up),
    )


def _period(
    entry: Mapping[str, object],
    path: KeyPath,
    problems: Problems,
    first: str,
    last: str,
) -> tuple[date | None, date | None, bool]:
    """The first and last month of an entry; the flag says whether both read cleanly."""
    start = take_month(entry, first, path, problems, required=True)
    end = take_month(entry, last, path, problems)
    ok = start is not None and (last not in entry or end is not None)
    if start is not None and end is not None and end < start:
        problems.add(
            path.key(last),
            f"{last} {end:%Y-%m} is before {first} {start:%Y-%m}",
            f"{last} is the last month it applies; it cannot come before {first}",
        )
        ok = False
    return start, end, ok


def _read_volume(entry: dict[str, Any], path: KeyPath, problems: Problems) -> Volume | None:
    before = len(problems.found)
    check_keys(entry, VOLUME_KEYS, path, problems, aliases=_ALIASES)
    override = _override(entry, path, problems)
    growth = _percent(
        entry,
        "growth_percent_per_year",
        path,
        problems,
        override=override,
        required=True,
        hint_missing="write growth_percent_per_year = 3.0",
    )
    start, end, ok = _period(entry, path, problems, "from", "until")
    applies_to = _applies_to(entry, path, problems)
    if len(problems.found) > before or not ok or growth is None or start is None:
        return None
    if applies_to is None:
        return None
    return Volume(
        growth_percent_per_year=float(growth), start=start, applies_to=applies_to, end=end
    )


def _money(
    entry: Mapping[str, object],
    key: str,
    path: KeyPath,
    problems: Problems,
    *,
    required: bool,
    hint_missing: str | None = None,
) -> Decimal | None:
    value = take_number(entry, key, path, problems, required=required, hint_missing=hint_missing)
    if value is None:
        return None
    if not check_amount(value, path.key(key), problems):
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        problems.add(
            path.key(key), f"{plain_number(value)} has more decimals than cents", cents_hint(value)
        )
        return None
    return value


def _read_measure(entry: dict[str, Any], path: KeyPath, problems: Problems) -> Measure | None:
    before = len(problems.found)
    check_keys(entry, MEASURE_KEYS, path, problems, aliases=_ALIASES)
    override = _override(entry, path, problems)
    name = take_str(
        entry,
        "name",
        path,
        problems,
        required=True,
        hint_missing='every measure has a name: name = "Praktijkondersteuner jeugd"',
    )
    start, end, ok = _period(entry, path, problems, "start", "end")
    percent = _percent(entry, "effect_percent", path, problems, override=override)
    euro = _money(entry, "effect_eur_per_month", path, problems, required=False)
    given = [key for key in ("effect_percent", "effect_eur_per_month") if key in entry]
    if len(given) == 2:
        problems.add(
            path.key("effect_eur_per_month"),
            "give effect_percent or effect_eur_per_month, not both",
            "one measure has one effect; make two measures for two effects",
        )
    elif not given:
        problems.add(
            path,
            "a measure needs an effect",
            "write effect_percent = -5.0 (a share of the spending) or "
            "effect_eur_per_month = -20000 (a fixed amount)",
            needs_whole_table=True,
        )
    ramp = take_int(entry, "ramp_months", path, problems, example=6)
    if ramp is not None and ramp < 0:
        problems.add(
            path.key("ramp_months"),
            f"ramp_months {ramp} is negative",
            "0 means the full effect from the start month; 6 means it builds up over six months",
        )
    applies_to = _applies_to(entry, path, problems)
    if len(problems.found) > before or not ok or name is None or start is None:
        return None
    if applies_to is None or len(given) != 1:
        return None
    return Measure(
        name=name,
        start=start,
        applies_to=applies_to,
        end=end,
        effect_percent=float(percent) if percent is not None else None,
        effect_eur_per_month=float(euro) if euro is not None else None,
        ramp_months=ramp or 0,
    )


def _read_one_off(entry: dict[str, Any], path: KeyPath, problems: Problems) -> OneOff | None:
    before = len(problems.found)
    check_keys(entry, ONE_OFF_KEYS, path, problems, aliases=_ALIASES)
    name = take_str(
        entry,
        "name",
        path,
        problems,
        required=True,
        hint_missing='every one_off has a name: name = "Nabetaling aanbieder"',
    )
    category = take_str(
        entry,
        "category",
        path,
        problems,
        required=True,
        hint_missing='write category = "6.74a Jeugd behandeling GGZ zonder '
        'verblijf" (one category)',
    )
    if category is not None and _domain_name(category) is not None:
        problems.add(
            path.key("category"),
            f"a one_off lands on one category, not on the domain '{category}'",
            "name the category, as in the data",
        )
        category = None
    month = take_month(entry, "month", path, problems, required=True)
    amount = _money(
        entry,
        "amount_eur",
        path,
        problems,
        required=True,
        hint_missing="write amount_eur = 150000 (euro; negative for a refund)",
    )
    if len(problems.found) > before or None in (name, category, month, amount):
        return None
    assert name is not None and category is not None and month is not None and amount is not None
    return OneOff(name=name, category=category, month=month, amount_eur=float(amount))


def _entries(
    data: Mapping[str, object],
    key: str,
    problems: Problems,
    read: Callable[[dict[str, Any], KeyPath, Problems], T | None],
) -> Iterator[tuple[T, _Origin]]:
    base = KeyPath((key,))
    for index, entry in enumerate(take_table_list(data, key, KeyPath(), problems), start=1):
        label = entry.get("name")
        path = base.item(index, label.strip() if isinstance(label, str) and label.strip() else None)
        item = read(entry, path, problems)
        if item is not None:
            yield item, _Origin(problems, path)


def _read_file(document: TomlDocument) -> _File:
    problems = document.problems()
    file = _File(source=document.source, problems=problems)
    data = document.data
    if document.syntax_problems and not data:
        return file
    root = KeyPath()
    check_keys(data, TOP_KEYS, root, problems, aliases=_ALIASES)

    table = take_table(data, "scenario", root, problems)
    if table is None:
        if "scenario" not in data:
            hint = 'start the file with [scenario] and name = "…"'
            if set(data) == {"budget"}:
                hint = (
                    "this looks like a budget file; a scenario points to it with "
                    '[budget] file = "…"'
                )
            problems.add(
                root.key("scenario"),
                "the file has no [scenario] table",
                hint,
                needs_whole_table=True,
            )
    else:
        path = root.key("scenario")
        check_keys(table, SCENARIO_KEYS, path, problems, aliases=_ALIASES)
        file.name = take_str(
            table,
            "name",
            path,
            problems,
            required=True,
            hint_missing='every scenario has a name: name = "Voorjaarsnota"',
        )
        file.description = take_str(table, "description", path, problems)
        if "extends" in table:
            file.extends = take_str(table, "extends", path, problems, required=True)
            file.extends_origin = _Origin(problems, path.key("extends"))

    if "budget" in data:
        file.budget = read_budget_table(
            data["budget"], root.key("budget"), problems, allow_file=True
        )
        if file.budget is not None and file.budget.file is not None:
            file.budget_file_origin = _Origin(problems, root.key("budget").key("file"))

    _check_measure_names(data, problems)
    file.indexation = list(_entries(data, "indexation", problems, _read_indexation))
    file.volume = list(_entries(data, "volume", problems, _read_volume))
    file.measure = list(_entries(data, "measure", problems, _read_measure))
    file.one_off = list(_entries(data, "one_off", problems, _read_one_off))
    file.names = list(_written_names(data, problems))
    return file


def _check_measure_names(data: Mapping[str, object], problems: Problems) -> None:
    """One name per measure within a file, checked on the raw entries, so that a duplicate is
    reported together with the other problems of either entry (and despite syntax errors).
    Across files a repeated name is an override (see _merge), never an error."""
    entries = data.get("measure")
    if not isinstance(entries, list):
        return
    first: dict[str, int] = {}
    for index, entry in enumerate(entries, start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            continue
        key = _spaced(name)
        if key in first:
            path = KeyPath(("measure",)).item(index, name.strip()).key("name")
            problems.add(
                path,
                f"measure name '{name}' is used twice (also measure[{first[key]}])",
                "give each measure its own name",
            )
        else:
            first[key] = index


# --- extends and budget files ---------------------------------------------------------------


@dataclass
class _Loader:
    """Reads a scenario and what it extends; keeps every file's problems."""

    order: list[str] = field(default_factory=list)
    collectors: list[Problems] = field(default_factory=list)
    syntax: list[CarecastError] = field(default_factory=list)

    def problems(self) -> list[CarecastError]:
        return [*self.syntax, *(p for c in self.collectors for p in c.found)]

    def chain(
        self, path: Path, stack: tuple[tuple[Path, str], ...], via: _Origin | None
    ) -> list[_File]:
        """The file at `path` and its ancestors, oldest first."""
        resolved = path.resolve()
        shown = str(path)
        if any(resolved == seen for seen, _ in stack):
            assert via is not None
            names = [name for _, name in stack] + [shown]
            via.add(
                "extends makes a cycle: " + " → ".join(names),
                "a scenario cannot extend itself, directly or through others",
            )
            return []
        try:
            document = read_document(path, what="scenario file")
        except UsageError as error:
            if via is None:
                raise
            via.add(
                f"cannot extend '{shown}': {error.problem}",
                "extends is a path relative to this file",
            )
            return []
        self.order.append(document.source)
        self.syntax.extend(document.syntax_problems)
        file = _read_file(document)
        self.collectors.append(file.problems)
        if file.budget is not None and file.budget.file is not None:
            self._read_budget_file(path, file)
        parents: list[_File] = []
        if file.extends is not None and file.extends_origin is not None:
            parent = path.parent / file.extends
            parents = self.chain(parent, (*stack, (resolved, shown)), file.extends_origin)
        return [*parents, file]

    def _read_budget_file(self, path: Path, file: _File) -> None:
        assert file.budget is not None and file.budget.file is not None
        origin = file.budget_file_origin
        assert origin is not None
        target = path.parent / file.budget.file
        try:
            part, document, problems = read_budget_document(target)
        except UsageError as error:
            origin.add(
                f"'{file.budget.file}': {error.problem}",
                "file is a path relative to this scenario file",
            )
            file.budget = None
            return
        self.order.append(document.source)
        self.syntax.extend(document.syntax_problems)
        self.collectors.append(problems)
        file.budget = part


# --- merging ----------------------------------------------------------------------------------


@dataclass
class _Resolved:
    scenario: Scenario
    budget_origins: dict[str, _Origin]
    indexation: list[tuple[Indexation, _Origin]]
    volume: list[tuple[Volume, _Origin]]
    measure: list[tuple[Measure, _Origin]]
    one_off: list[tuple[OneOff, _Origin]]
    names: list[tuple[str, bool, _Origin]]


def _merge_budget(parts: list[BudgetPart]) -> tuple[Budget | None, dict[str, _Origin]]:
    """Per category and year, later parts (the extending files) win."""
    if not parts:
        return None, {}
    spelled: dict[str, str] = {}  # identity -> name as last written
    years: dict[str, dict[int, float]] = {}
    origins: dict[str, _Origin] = {}
    for part in parts:
        for name, by_year in part.amounts.items():
            identity = category_identity(name)
            spelled[identity] = name
            years.setdefault(identity, {}).update(by_year)
            origins[identity] = _Origin(part.problems, part.paths[name])
    last = parts[-1]
    provenance = next((p.provenance for p in reversed(parts) if p.provenance), None)
    amounts = {spelled[i]: dict(sorted(y.items())) for i, y in years.items()}
    budget = Budget(
        amounts=amounts, unit=last.unit or "EUR", source=last.source, provenance=provenance
    )
    return budget, {spelled[i]: origin for i, origin in origins.items()}


def _applies_identity(applies_to: tuple[str, ...]) -> frozenset[str]:
    """What makes two applies_to the same: the same domains and categories, in any order and
    spelling ("6.72a" = "6.72a Jeugdhulp begeleiding"); () (every category) is its own."""
    return frozenset(
        f"domain:{domain}" if (domain := _domain_name(name)) else category_identity(name)
        for name in applies_to
    )


def _indexation_identity(indexation: Indexation) -> Hashable:
    return indexation.year, _applies_identity(indexation.applies_to)


def _volume_identity(volume: Volume) -> Hashable:
    return _applies_identity(volume.applies_to), volume.start


def _measure_identity(measure: Measure) -> Hashable:
    return _spaced(measure.name)


def _one_off_identity(one_off: OneOff) -> Hashable:
    return _spaced(one_off.name)


def _overridden(
    files: list[_File],
    entries: Callable[[_File], list[tuple[T, _Origin]]],
    identity: Callable[[T], Hashable],
) -> list[tuple[T, _Origin]]:
    """The entries of a chain of files, oldest first; a file's entries replace those of the
    files it extends that have the same identity (all of them: a parent may hold two one-offs
    of one name). Within one file nothing is replaced: duplicates there are reported."""
    merged: list[tuple[T, _Origin]] = []
    for file in files:
        own = entries(file)
        replaced = {identity(item) for item, _ in own}
        merged = [pair for pair in merged if identity(pair[0]) not in replaced] + own
    return merged


def _merge(files: list[_File], source: str) -> _Resolved:
    top = files[-1]
    description = next((f.description for f in reversed(files) if f.description is not None), "")
    budget, budget_origins = _merge_budget([f.budget for f in files if f.budget is not None])
    indexation = _overridden(files, lambda f: f.indexation, _indexation_identity)
    volume = _overridden(files, lambda f: f.volume, _volume_identity)
    measure = _overridden(files, lambda f: f.measure, _measure_identity)
    one_off = _overridden(files, lambda f: f.one_off, _one_off_identity)
    scenario = Scenario(
        name=top.name or "",
        source=source,
        description=description,
        extends=top.extends,
        budget=budget,
        indexation=tuple(i for i, _ in indexation),
        volume=tuple(v for v, _ in volume),
        measure=tuple(m for m, _ in measure),
        one_off=tuple(o for o, _ in one_off),
    )
    names = [item for f in files for item in f.names]
    return _Resolved(scenario, budget_origins, indexation, volume, measure, one_off, names)


# --- checks across entries ------------------------------------------------------------------


@dataclass(frozen=True)
class _Reach:
    """What an `applies_to` reaches, for the overlap checks."""

    applies_to: tuple[str, ...]
    categories: Sequence[str] | None
    domain_for: Callable[[str], str]

    def data_categories(self) -> set[str]:
        assert self.categories is not None
        return set(_resolve(self.applies_to, self.categories, self.domain_for))

    def shared_with(self, other: _Reach) -> str | None:
        """The categories both reach, in words; None when they reach none in common."""
        if self.categories is not None:
            shared = self.data_categories() & other.data_categories()
            if not shared:
                return None
            names = [c for c in self.categories if c in shared]
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            return ", ".join(names[:3]) + more
        if not self.applies_to:
            return ", ".join(other.applies_to) if other.applies_to else "every category"
        if not other.applies_to:
            return ", ".join(self.applies_to)
        shared_names: list[str] = []
        for mine in self.applies_to:
            for theirs in other.applies_to:
                common = _common(mine, theirs, self.domain_for)
                if common is not None and common not in shared_names:
                    shared_names.append(common)
        return ", ".join(shared_names) if shared_names else None


def _resolve(
    applies_to: tuple[str, ...], categories: Sequence[str], domain_for: Callable[[str], str]
) -> tuple[str, ...]:
    if not applies_to:
        return tuple(categories)
    reached: set[str] = set()
    for name in applies_to:
        domain = _domain_name(name)
        if domain is not None:
            reached.update(c for c in categories if domain_for(c) == domain)
        else:
            match = match_category(name, categories)
            if match is not None:
                reached.add(match)
    return tuple(c for c in categories if c in reached)


def _common(a: str, b: str, domain_for: Callable[[str], str]) -> str | None:
    """What two applies_to names have in common without data: a domain or a category."""
    domain_a, domain_b = _domain_name(a), _domain_name(b)
    if domain_a and domain_b:
        return domain_a if domain_a == domain_b else None
    if domain_a:
        return b if domain_for(b) == domain_a else None
    if domain_b:
        return a if domain_for(a) == domain_b else None
    return a if category_identity(a) == category_identity(b) else None


def _overlap(start_a: date, end_a: date | None, start_b: date, end_b: date | None) -> str | None:
    """The months two periods share, in words ("2027-01..2027-06", "from 2027-01"); or None."""
    first = max(start_a, start_b)
    ends = [e for e in (end_a, end_b) if e is not None]
    last = min(ends) if ends else None
    if last is not None and last < first:
        return None
    if last is None:
        return f"from {first:%Y-%m}"
    return f"{first:%Y-%m}" if last == first else f"{first:%Y-%m}..{last:%Y-%m}"


def _check_entries(resolved: _Resolved, reach: Callable[[tuple[str, ...]], _Reach]) -> None:
    measures = resolved.measure
    for j, (second, second_origin) in enumerate(measures):
        for first_measure, first_origin in measures[:j]:
            if _spaced(first_measure.name) == _spaced(second.name):
                continue  # one file used the name twice: _check_measure_names says so
            months = _overlap(first_measure.start, first_measure.end, second.start, second.end)
            shared = reach(first_measure.applies_to).shared_with(reach(second.applies_to))
            if months is None or shared is None:
                continue
            second_origin.add(
                f"overlaps measure '{first_measure.name}' ({first_origin.named(second_origin)}) "
                f"on {shared}, {months}",
                "two measures may not act on one category at the same time: let one end "
                "(end = …) before the other starts, or combine them into one measure",
            )
    volumes = resolved.volume
    for j, (volume, origin) in enumerate(volumes):
        for earlier, earlier_origin in volumes[:j]:
            months = _overlap(earlier.start, earlier.end, volume.start, volume.end)
            shared = reach(earlier.applies_to).shared_with(reach(volume.applies_to))
            if months is None or shared is None:
                continue
            hint = (
                "one volume growth per category at a time: end the first (until = …) before "
                "the second starts (from = …), or put the combined rate in one entry"
            )
            if earlier_origin.problems.source != origin.problems.source:
                hint += "; to replace the parent's entry, give the same applies_to and from"
            origin.add(f"overlaps {earlier_origin.named(origin)} on {shared}, {months}", hint)
    indexations = resolved.indexation
    for j, (indexation, index_origin) in enumerate(indexations):
        for earlier_index, earlier_index_origin in indexations[:j]:
            if earlier_index.year != indexation.year:
                continue
            shared = reach(earlier_index.applies_to).shared_with(reach(indexation.applies_to))
            if shared is None:
                continue
            hint = "one indexation per category and year: combine them into one entry"
            if earlier_index_origin.problems.source != index_origin.problems.source:
                hint += "; to replace the parent's entry, give the same year and applies_to"
            index_origin.add(
                f"a second indexation for {indexation.year} on {shared} "
                f"(also {earlier_index_origin.named(index_origin)})",
                hint,
            )
    seen: dict[tuple[str, str, date], _Origin] = {}
    for one_off, one_off_origin in resolved.one_off:
        same = (_spaced(one_off.name), category_identity(one_off.category), one_off.month)
        if same in seen:
            one_off_origin.add(
                f"the same one_off twice (also {seen[same].named(one_off_origin)})",
                "list it once; a second payment needs its own name",
            )
        else:
            seen[same] = one_off_origin


def _check_budget_categories(
    amounts: Mapping[str, Mapping[int, float]],
    origin_of: Callable[[str], _Origin],
    categories: Sequence[str],
) -> None:
    """Every budget line that budgets something names one data category, once.

    A line of zeros for a category the data lacks is skipped without a word: a begroting (and
    so `budget from-iv3`) lists every taakveld, also those the municipality does not use.
    """
    matched: dict[str, str] = {}
    for name, years in amounts.items():
        origin = origin_of(name)
        match = match_category(name, categories)
        if match is None:
            if any(years.values()):
                origin.add(f"unknown category '{name}'", _closest_categories(name, categories))
            continue
        mismatch = label_mismatch(name, match)
        if mismatch is not None:
            origin.add(*mismatch)
        elif match in matched:
            origin.add(
                f"'{name}' and '{matched[match]}' are both the category '{match}'",
                "give each category once",
            )
        else:
            matched[match] = name


def _check_categories(
    resolved: _Resolved, categories: Sequence[str], domain_for: Callable[[str], str]
) -> None:
    budget = resolved.scenario.budget
    if budget is not None:
        _check_budget_categories(budget.amounts, resolved.budget_origins.__getitem__, categories)
    for name, may_be_domain, origin in resolved.names:
        domain = _domain_name(name) if may_be_domain else None
        if domain is not None:
            if not any(domain_for(c) == domain for c in categories):
                origin.add(
                    f"the data has no category in domain '{domain}'",
                    "name a domain or a category that is in the data",
                )
            continue
        match = match_category(name, categories)
        if match is None:
            extra = DOMAIN_NAMES if may_be_domain else ()
            origin.add(f"unknown category '{name}'", _closest_categories(name, categories, extra))
        elif (mismatch := label_mismatch(name, match)) is not None:
            origin.add(*mismatch)


def _check_actuals(resolved: _Resolved, first_forecast_month: date) -> None:
    """A one-off in a month the data already covers would be counted twice (or not at all)."""
    first = first_forecast_month.replace(day=1)
    for one_off, origin in resolved.one_off:
        if one_off.month < first:
            origin.add(
                f"month {one_off.month:%Y-%m} is already in the actuals "
                f"(the forecast starts in {first:%Y-%m})",
                "move it to a forecast month or leave it out: the actuals already hold it",
                key="month",
            )


# --- the public face ----------------------------------------------------------------------------


def load_scenario(
    path: Path,
    categories: Sequence[str] | None = None,
    *,
    domains: Mapping[str, str] | None = None,
    first_forecast_month: date | None = None,
) -> Scenario:
    """Read, resolve and validate a scenario file; every problem at once (ProblemList, exit 2).

    `categories` are the data's category names (checked when given); `domains` maps them to
    their domain when the data declares it (otherwise models.categories.domain_of decides).
    `first_forecast_month` (the month after the data's last complete month), when given, makes
    a one-off before it an error at its `month` line. A missing or unreadable file is a
    UsageError naming it.
    """
    path = Path(path)
    loader = _Loader()
    files = loader.chain(path, (), None)
    resolved = _merge(files, str(path))
    domain_for = _domain_lookup(domains)

    def reach(applies_to: tuple[str, ...]) -> _Reach:
        return _Reach(applies_to, categories, domain_for)

    if not loader.syntax:  # a blanked line could make an entry look open-ended
        _check_entries(resolved, reach)
    if categories is not None:
        _check_categories(resolved, categories, domain_for)
    if first_forecast_month is not None:
        _check_actuals(resolved, first_forecast_month)
    raise_problems(loader.problems(), loader.order)
    return replace(resolved.scenario, files=tuple(dict.fromkeys(loader.order)))


def files_of_scenario(path: Path) -> list[str]:
    """The files reading `path` would read (it, what it extends, their budget files), as far as
    they can be read; a quick look before the fit, so that --output can refuse them early. The
    problems are left to load_scenario."""
    loader = _Loader()
    try:
        loader.chain(Path(path), (), None)
    except CarecastError:
        pass
    return list(dict.fromkeys(loader.order))


def is_budget_file(path: Path) -> bool:
    """True for a file whose only table is [budget] (what `budget from-iv3` writes), so that
    `scenario check` can check it as a budget file. False when it cannot be read at all."""
    try:
        document = read_document(Path(path))
    except UsageError:
        return False
    return set(document.data) == {"budget"}


def load_budget(path: Path, categories: Sequence[str] | None = None) -> Budget:
    """A budget file, with its categories checked against the data's when given (the rules of
    a scenario's [budget]); every problem at once (ProblemList, exit 2)."""
    part, document, problems = read_budget_document(Path(path))
    if part is not None and categories is not None:
        paths = part.paths

        def origin_of(name: str) -> _Origin:
            return _Origin(problems, paths[name])

        _check_budget_categories(part.amounts, origin_of, categories)
    raise_problems([*document.syntax_problems, *problems.found], [document.source])
    assert part is not None  # no problems: the [budget] table was read
    return part.to_budget()


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _needs_override(*values: float | None) -> bool:
    return any(v is not None and (0 < abs(v) < 1 or v > 50) for v in values)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as TOML-ready data: load_scenario of its dump gives it back.

    Self-contained: `extends` is already applied and a budget file is written inline, so the
    result does not depend on other files. Months are written as TOML dates.
    """
    head: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        head["description"] = scenario.description
    data: dict[str, Any] = {"scenario": head}
    if scenario.budget is not None:
        data["budget"] = budget_to_dict(scenario.budget)
    if scenario.indexation:
        data["indexation"] = [_indexation_dict(i) for i in scenario.indexation]
    if scenario.volume:
        data["volume"] = [_volume_dict(v) for v in scenario.volume]
    if scenario.measure:
        data["measure"] = [_measure_dict(m) for m in scenario.measure]
    if scenario.one_off:
        data["one_off"] = [
            {
                "name": o.name,
                "category": o.category,
                "month": o.month,
                "amount_eur": _number(o.amount_eur),
            }
            for o in scenario.one_off
        ]
    return data


def _with_applies_to(entry: dict[str, Any], applies_to: tuple[str, ...]) -> dict[str, Any]:
    if applies_to:
        entry["applies_to"] = list(applies_to)
    return entry


def _indexation_dict(indexation: Indexation) -> dict[str, Any]:
    entry: dict[str, Any] = {"year": indexation.year}
    if indexation.ova_percent is not None and indexation.ppc_percent is not None:
        entry["ova_percent"] = indexation.ova_percent
        entry["ppc_percent"] = indexation.ppc_percent
        entry["ova_weight"] = indexation.ova_weight
        if indexation.correction_percent:
            entry["correction_percent"] = indexation.correction_percent
        unusual = _needs_override(indexation.ova_percent, indexation.ppc_percent) or (
            indexation.correction_percent > 50
        )
    else:
        entry["tariff_percent"] = indexation.tariff_percent
        unusual = _needs_override(indexation.tariff_percent)
    if unusual:
        entry[OVERRIDE_KEY] = True
    return _with_applies_to(entry, indexation.applies_to)


def _volume_dict(volume: Volume) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "growth_percent_per_year": volume.growth_percent_per_year,
        "from": volume.start,
    }
    if volume.end is not None:
        entry["until"] = volume.end
    if _needs_override(volume.growth_percent_per_year):
        entry[OVERRIDE_KEY] = True
    return _with_applies_to(entry, volume.applies_to)


def _measure_dict(measure: Measure) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": measure.name, "start": measure.start}
    if measure.end is not None:
        entry["end"] = measure.end
    if measure.effect_percent is not None:
        entry["effect_percent"] = measure.effect_percent
        if _needs_override(measure.effect_percent):
            entry[OVERRIDE_KEY] = True
    if measure.effect_eur_per_month is not None:
        entry["effect_eur_per_month"] = _number(measure.effect_eur_per_month)
    entry["ramp_months"] = measure.ramp_months
    return _with_applies_to(entry, measure.applies_to)


def dumps_scenario(scenario: Scenario) -> str:
    """The resolved scenario as TOML text (tomli_w); see scenario_to_dict."""
    return tomli_w.dumps(scenario_to_dict(scenario))
