"""Budgets (begroting and meerjarenraming): reading budget TOML files, writing them, and making
one from a CBS Iv3 begroting file.

A budget file and a scenario's [budget] table have one shape:

    [budget]
    unit = "kEUR"                        # or "EUR"; "kEUR" is "× € 1.000", as begrotingen print
    source = "CBS Iv3 begroting 2024 …"  # optional: where the figures come from
    [budget.categories."6.72a Jeugdhulp begeleiding"]
    2026 = 1_703
    2027 = 1_754

Amounts are scaled to euro on reading (exactly: TOML floats are read as Decimal). `unit` is
required, because a "× € 1.000" column read as euro is a budget a thousand times too small and
nothing downstream could tell. Amounts are never negative, and at most € 1.000.000.000.000. Euro
amounts have at most two decimals (cents), so a Dutch thousands dot read as a decimal point
(`2026 = 1.653` for 1653 euro) is caught. kEUR amounts have at most five decimals (cents again),
and exactly three is refused too: `2027 = 1.653` in a "× € 1.000" column is almost always
1.653.000 euro written with a thousands dot, not 1653 euro. Whoever does mean 1.653 kEUR writes
1.6530 (and that is how such an amount is written back).
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import tomli_w

from models.categories import TAAKVELD_BY_CODE, leading_code
from models.errors import UsageError
from scenarios.schema import Budget
from scenarios.toml_files import (
    KeyPath,
    Problems,
    TomlDocument,
    cents_hint,
    check_amount,
    check_keys,
    check_year,
    number_value,
    plain_number,
    raise_problems,
    read_document,
    suggestion,
    take_str,
    take_table,
)

UNITS = {"EUR": Decimal(1), "kEUR": Decimal(1000)}
"""Budget units and what one of them is in euro."""

_DECIMALS = {"EUR": 2, "kEUR": 5}  # both: whole cents
_YEAR_KEY = re.compile(r"\d{4}")
_BUDGET_HELP = (
    'a budget has unit = "EUR" or "kEUR" and a [budget.categories."NAME"] table per category '
    "with a line per year: 2027 = 1_250_000"
)


def category_identity(name: str) -> str:
    """What makes two spellings the same category: the Iv3 code if there is one, else the name.

    "6.72a" and "6.72a Jeugdhulp begeleiding" are one category (a begroting and a ledger label
    their lines differently); names without a code compare case- and space-insensitively.
    """
    code = leading_code(name)
    if code is not None:
        return code
    return " ".join(name.split()).casefold()


@dataclass
class BudgetPart:
    """A [budget] table as read from one file, before `extends` and `file =` are resolved."""

    source: str
    path: KeyPath
    problems: Problems  # the collector of its file, for problems found later (categories)
    unit: str | None = None
    provenance: str | None = None
    file: str | None = None  # a scenario's reference to a budget file, as written
    amounts: dict[str, dict[int, float]] = field(default_factory=dict)
    paths: dict[str, KeyPath] = field(default_factory=dict)  # category -> its key path

    def to_budget(self) -> Budget:
        return Budget(
            amounts=self.amounts,
            unit=self.unit or "EUR",
            source=self.source,
            provenance=self.provenance,
        )


def read_budget_table(
    value: object, path: KeyPath, problems: Problems, *, allow_file: bool
) -> BudgetPart | None:
    """Validate a [budget] table (of a budget file, or of a scenario when `allow_file`)."""
    if not isinstance(value, dict):
        problems.add(path, f"budget must be a table, not a {type(value).__name__}", _BUDGET_HELP)
        return None
    known = ["unit", "source", "categories"] + (["file"] if allow_file else [])
    check_keys(value, known, path, problems)
    part = BudgetPart(source=problems.source, path=path, problems=problems)
    part.provenance = take_str(value, "source", path, problems)
    if allow_file and "file" in value:
        part.file = take_str(value, "file", path, problems, required=True)
        others = [key for key in ("unit", "categories") if key in value]
        if others:
            problems.add(
                path.key("file"),
                f"budget.file cannot be combined with {' and '.join(others)}",
                "put the amounts in the budget file, or leave file out",
            )
        return part

    unit = take_str(
        value,
        "unit",
        path,
        problems,
        required=True,
        hint_missing='write unit = "EUR", or unit = "kEUR" for amounts × € 1.000',
    )
    if unit is not None and unit not in UNITS:
        close = suggestion(unit, UNITS)
        problems.add(
            path.key("unit"),
            f"unknown unit '{unit}'",
            (close + " " if close else "") + 'units: "EUR", or "kEUR" for × € 1.000',
        )
        unit = None
    part.unit = unit

    categories = take_table(value, "categories", path, problems)
    if categories is None:
        if "categories" not in value:
            problems.add(
                path.key("categories"),
                "budget has no categories",
                _BUDGET_HELP,
                needs_whole_table=True,
            )
        return part
    if not categories:
        # needs_whole_table: the only line may have been blanked for a syntax error
        problems.add(
            path.key("categories"),
            "budget.categories is empty",
            _BUDGET_HELP,
            needs_whole_table=True,
        )
    seen: dict[str, str] = {}
    for name, years in categories.items():
        where = path.key("categories").key(name)
        if not name.strip():
            problems.add(where, "a category without a name", _BUDGET_HELP)
            continue
        identity = category_identity(name)
        if identity in seen:
            problems.add(
                where,
                f"'{name}' is the same category as '{seen[identity]}'",
                "give each category once",
            )
            continue
        seen[identity] = name
        amounts = _read_years(name, years, where, unit, problems)
        if amounts is not None:
            part.amounts[name] = amounts
            part.paths[name] = where
    return part


def _dotted_name(name: str, value: dict[str, Any]) -> str:
    """The category a bare dotted key was meant to be: {"6": {"72a": {...}}} → "6.72a"."""
    while len(value) == 1:
        ((key, inner),) = value.items()
        if not isinstance(inner, dict) or _YEAR_KEY.fullmatch(key):
            break
        name, value = f"{name}.{key}", inner
    return name


def _read_years(
    name: str, years: object, where: KeyPath, unit: str | None, problems: Problems
) -> dict[int, float] | None:
    if not isinstance(years, dict):
        shown = plain_number(years) if isinstance(years, int | Decimal) else "…"
        problems.add(
            where,
            f"category '{name}' needs a line per year, not {_a_value(years)}",
            f'write [budget.categories."{name}"] and below it a line per year: 2027 = {shown}',
        )
        return None
    if any(isinstance(inner, dict) for inner in years.values()):
        meant = _dotted_name(name, years)
        problems.add(
            where,
            f"category '{name}' holds tables, not years",
            f'quote category names that contain dots or spaces: [budget.categories."{meant}"]',
        )
        return None
    if not years:
        # needs_whole_table: `2027 = 12.500.000` is blanked after its syntax error; the table
        # is not really empty, and the syntax error already says what is wrong
        problems.add(
            where,
            f"category '{name}' has no years",
            "add a line per year: 2027 = …",
            needs_whole_table=True,
        )
        return None
    scale = UNITS.get(unit or "EUR", Decimal(1))
    amounts: dict[int, float] = {}
    for key, raw in years.items():
        at = where.key(key)
        if not _YEAR_KEY.fullmatch(key):
            problems.add(at, f"'{key}' is not a year", "budget lines are `YEAR = amount`: 2027 = …")
            continue
        year = int(key)
        if not check_year(year, at, problems):
            continue
        number = number_value(raw, at, problems)
        if number is None:
            continue
        if number < 0:
            problems.add(
                at,
                f"a budget cannot be negative ({plain_number(number)})",
                "write the budgeted Lasten (spending) as a positive amount",
            )
            continue
        if not check_amount(number, at, problems, scale=scale):
            continue
        exponent = number.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) else 0
        if unit is not None and decimals > _DECIMALS[unit]:
            problems.add(
                at,
                f"{plain_number(number)} has more decimals than cents",
                cents_hint(number) if unit == "EUR" else "kEUR amounts have at most 5 decimals",
            )
            continue
        if unit == "kEUR" and decimals == 3:
            written = format(number, "f")
            problems.add(
                at,
                f"{written} × € 1.000 has three decimals: a thousands dot?",
                f"write {plain_number(number * 1000)} for € {_dutch(number * 1_000_000)}, "
                f"or {written}0 if you do mean € {_dutch(number * 1000)}",
            )
            continue
        amounts[year] = float(number * scale)
    return dict(sorted(amounts.items()))


def _dutch(number: Decimal) -> str:
    """A whole amount with Dutch thousands dots: 1653000 → "1.653.000"."""
    return f"{int(number):,}".replace(",", ".")


def _a_value(value: object) -> str:
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return f"a single number ({plain_number(value)})"
    return type(value).__name__


# --- budget files ------------------------------------------------------------------------------


def read_budget_document(path: Path) -> tuple[BudgetPart | None, TomlDocument, Problems]:
    """Read a budget file: its [budget] part, the document (syntax problems) and the collector
    of its other problems. Nothing is raised but a missing or unreadable file (UsageError)."""
    document = read_document(path, what="budget file")
    problems = document.problems()
    if document.syntax_problems and not document.data:
        return None, document, problems
    root = KeyPath()
    hint_scenario = "this looks like a scenario file; a budget file has only a [budget] table"
    for key in document.data:
        if key != "budget":
            close = suggestion(key, ["budget"])
            if key.casefold() in ("begroting", "budgetten", "begrotingen"):
                close = "did you mean 'budget'?"
            problems.add(root.key(key), f"unknown key '{key}'", close if close else hint_scenario)
    part: BudgetPart | None = None
    if "budget" not in document.data:
        problems.add(
            root.key("budget"),
            "the file has no [budget] table",
            _BUDGET_HELP,
            needs_whole_table=True,
        )
    else:
        part = read_budget_table(
            document.data["budget"], root.key("budget"), problems, allow_file=False
        )
    return part, document, problems


def load_budget_file(path: Path) -> Budget:
    """A budget TOML file as a Budget in euro, or all its problems at once (exit 2)."""
    part, document, problems = read_budget_document(Path(path))
    raise_problems([*document.syntax_problems, *problems.found], [document.source])
    assert part is not None  # no problems: the [budget] table was read
    return part.to_budget()


def amount_in_unit(euro: float, unit: str) -> int | float | Decimal:
    """A euro amount as written in a file of `unit`: whole numbers without ".0".

    A kEUR amount with exactly three decimals (1653 euro is 1.653 kEUR) is written with a fourth
    (1.6530), as a Decimal, because reading refuses three decimals as a likely thousands dot.
    """
    value = (Decimal(repr(euro)) / UNITS[unit]).normalize()
    if value == value.to_integral_value():
        return int(value)
    exponent = value.as_tuple().exponent
    if unit == "kEUR" and exponent == -3:
        return value.quantize(Decimal("0.0001"))
    return float(value)


def budget_to_dict(budget: Budget) -> dict[str, Any]:
    """The [budget] table of a Budget, amounts in its unit, ready for tomli_w."""
    table: dict[str, Any] = {"unit": budget.unit}
    if budget.provenance:
        table["source"] = budget.provenance
    table["categories"] = {
        name: {str(year): amount_in_unit(amount, budget.unit) for year, amount in years.items()}
        for name, years in budget.amounts.items()
    }
    return table


def dumps_budget(budget: Budget) -> str:
    """A budget file's text (tomli_w). Provenance goes in `source`: tomli_w writes no comments."""
    return tomli_w.dumps({"budget": budget_to_dict(budget)})


# --- from a CBS Iv3 begroting ------------------------------------------------------------------

_IV3_COLUMNS = ("Gemeenten", "Taakveld", "Lasten")
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
# Names people use that CBS does not (folded, see _folded): the CBS name is the official one.
_GEMEENTE_ALIASES = {
    "den haag": "s gravenhage",
    "s gravenhage": "den haag",
    "den bosch": "s hertogenbosch",
    "s hertogenbosch": "den bosch",
}
_NOT_A_GEMEENTE = "nederland"  # CBS adds the national total as a row "Nederland"


def budget_from_iv3(path: Path, gemeente: str, *, year: int | None = None) -> Budget:
    """The care taakvelden of one gemeente in a CBS Iv3 file, as a Budget (unit kEUR).

    The file is the Statistiek Financiën van Gemeenten layout (`;`, a row per gemeente ×
    taakveld, Lasten × € 1.000; see ../shared/data/nl_iv3_taakvelden). Only care taakvelden
    (models.categories.TAAKVELDEN: 6.6, 6.7x, 6.8x, in their 2023 or 2025 codes) are taken, each
    under its full label ("6.74a Jeugd behandeling GGZ zonder verblijf", where CBS truncates to
    "zonder .."). Lasten, not Lasten − Baten: the forecast is of spending.

    A taakveld the file lists with Lasten 0 is a budget of 0: it is a real line of the begroting
    (nothing budgeted), so any spending there shows as a tekort; one note names these lines. A
    category that is not in the data may carry such a 0 without complaint (see parse.py). Empty
    and negative Lasten (corrections) are left out, each with a note. Codes not in use in the
    file's year (CBS keeps 6.71 … with 0 in the 2023 and 2024 files) are skipped without a note.
    A gemeente whose every care line is 0 is refused: CBS has not got its figures.

    The year comes from the file name (`iv3_2024_begroting.csv` → 2024). `year` sets the budget
    year; when the name says another year (or none), the provenance keeps what the file is and
    says "used as budget Y", so nobody reads it as CBS figures for Y. The gemeente is matched
    without regard to case, accents, apostrophes, hyphens and spacing, plus a few common other
    names (Den Haag is 's-Gravenhage in CBS files); "Nederland", the national total, is refused.
    """
    path = Path(path)
    shown = str(path)
    file_year = _year_from_name(path)
    if year is None and file_year is None:
        raise UsageError(
            "cannot tell the budget year from the file name",
            source=shown,
            hint="give the budget year with --year",
        )
    budget_year = year if year is not None else file_year
    assert budget_year is not None
    if not 2000 <= budget_year <= 2100:
        raise UsageError(
            f"year {budget_year} is outside 2000..2100",
            source=shown,
            where="--year" if year is not None else None,
            hint="write a four-digit year, like 2027",
        )
    rows = _iv3_rows(path)
    name, notes = _find_gemeente(rows, gemeente, shown)
    codes_year = file_year if file_year is not None else budget_year  # the file's chart

    amounts: dict[str, dict[int, float]] = {}
    zero: list[str] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if row["Gemeenten"].strip() != name:
            continue
        code = leading_code(row["Taakveld"])
        taakveld = TAAKVELD_BY_CODE.get(code) if code is not None else None
        if taakveld is None:
            continue
        if taakveld.code in seen:
            raise UsageError(
                f"{name} has taakveld {taakveld.code} twice (lines {seen[taakveld.code]} and "
                f"{number})",
                source=shown,
                line=number,
            )
        seen[taakveld.code] = number
        lasten = _kilo_euro(row["Lasten"], shown, number)
        in_use = taakveld.first_year <= codes_year <= (taakveld.last_year or codes_year)
        if (lasten is None or lasten == 0) and not in_use:
            continue  # CBS keeps retired codes (6.71 in 2024) with 0: nothing to say
        if lasten is None:
            notes.append(f"{taakveld.label}: no Lasten in the file, left out")
            continue
        if lasten < 0:
            notes.append(
                f"{taakveld.label}: negative Lasten ({plain_number(lasten)} × € 1.000), left out"
            )
            continue
        if lasten == 0:
            zero.append(taakveld.code)
        amounts[taakveld.label] = {budget_year: float(lasten * UNITS["kEUR"])}
    if not any(years[budget_year] for years in amounts.values()):
        raise UsageError(
            f"{name} has no care Lasten in this file (every care taakveld is 0 or empty)",
            source=shown,
            hint="CBS publishes some gemeenten late; take another year's begroting",
        )
    if zero:
        notes.append(
            f"budget 0 (Lasten 0 in the file) for {', '.join(zero)}: any spending there shows "
            "as a tekort"
        )
    if "jaarrekening" in path.name.casefold():
        notes.insert(0, "this is a jaarrekening (realised Lasten), not a begroting")
    what = f"CBS Iv3 {file_year}" if file_year is not None else "CBS Iv3"
    provenance = f"{what}, {name}: Lasten per care taakveld (× € 1.000), from {path.name}"
    if file_year != budget_year:
        provenance += f", used as budget {budget_year}"
        figures = (
            f"the file's figures are for {file_year}"
            if file_year
            else "the file name gives no year"
        )
        notes.append(f"{figures}; used as budget {budget_year}")
    return Budget(
        amounts=amounts, unit="kEUR", source=shown, provenance=provenance, notes=tuple(notes)
    )


def _folded(name: str) -> str:
    """Gemeente names compare without case, accents, apostrophes, hyphens or extra spaces:
    "midden drenthe", "s gravenhage" for "'s-Gravenhage", "sudwest fryslan"."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    plain = plain.replace("-", " ").replace("'", "").replace("\u2019", "")
    return " ".join(plain.split()).casefold()


def _find_gemeente(rows: list[dict[str, str]], gemeente: str, shown: str) -> tuple[str, list[str]]:
    """The gemeente as the file spells it, and a note when an alias found it."""
    spelled: dict[str, str] = {}
    for row in rows:
        spelled.setdefault(_folded(row["Gemeenten"]), row["Gemeenten"].strip())
    wanted = _folded(gemeente)
    if wanted == _NOT_A_GEMEENTE:
        raise UsageError(
            f"'{gemeente}' is the national total, not a gemeente",
            source=shown,
            where="--gemeente",
            hint="name one gemeente, as the Gemeenten column spells it",
        )
    if wanted in spelled:
        return spelled[wanted], []
    alias = _GEMEENTE_ALIASES.get(wanted)
    if alias is not None and alias in spelled:
        name = spelled[alias]
        return name, [f"{gemeente.strip()} is {name} in the CBS file: took that"]
    names = {folded: name for folded, name in spelled.items() if folded != _NOT_A_GEMEENTE}
    close = _close_gemeenten(wanted, names)
    hint = (
        "did you mean " + " or ".join(f"'{name}'" for name in close) + "?"
        if close
        else "the Gemeenten column names the municipalities as CBS spells them"
    )
    raise UsageError(
        f"gemeente '{gemeente}' is not in the file", source=shown, where="--gemeente", hint=hint
    )


def _close_gemeenten(wanted: str, names: dict[str, str]) -> list[str]:
    """Names that contain the text (as a word first: "Bergen" → "Bergen (L.)", "Bergen op
    Zoom", then inside a word: "Haaksbergen"), then difflib's closest; at most five."""
    if not wanted:
        return []
    word = re.compile(rf"(?<!\w){re.escape(wanted)}(?!\w)")
    as_word = sorted(names[f] for f in names if word.search(f))
    inside = sorted(names[f] for f in names if wanted in f and names[f] not in as_word)
    similar = [names[f] for f in difflib.get_close_matches(wanted, sorted(names), n=3, cutoff=0.6)]
    found = list(dict.fromkeys([*as_word, *inside, *similar]))
    return found[: max(3, min(len(as_word), 5))]


def _year_from_name(path: Path) -> int | None:
    """The one year in the file name (iv3_2024_begroting.csv → 2024); None for none or two."""
    years = set(_YEAR_IN_NAME.findall(path.name))
    return int(years.pop()) if len(years) == 1 else None


def _iv3_rows(path: Path) -> list[dict[str, str]]:
    shown = str(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=";")
            header = reader.fieldnames or []
            if any(column not in header for column in _IV3_COLUMNS):
                found = ";".join(header[:6]) + (";…" if len(header) > 6 else "")
                raise UsageError(
                    "not a CBS Iv3 file: expected columns Gemeenten;Taakveld;…;Lasten",
                    source=shown,
                    line=1,
                    hint=f"its first line has {found}" if found else "the file is empty",
                )
            return [{key: row.get(key) or "" for key in _IV3_COLUMNS} for row in reader]
    except FileNotFoundError:
        raise UsageError("Iv3 file not found", source=shown, hint="check the path") from None
    except IsADirectoryError:
        raise UsageError(
            "Iv3 file is a directory",
            source=shown,
            hint="check the path: name a file, not a folder",
        ) from None
    except UnicodeDecodeError:
        raise UsageError(
            "Iv3 file is not UTF-8 text", source=shown, hint="CBS files are UTF-8; save it as UTF-8"
        ) from None
    except OSError as error:
        raise UsageError(f"cannot read Iv3 file: {error.strerror or error}", source=shown) from None


def _kilo_euro(text: str, shown: str, line: int) -> Decimal | None:
    value = text.strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        try:  # a Dutch-locale re-export: 1.234,5
            number = Decimal(value.replace(".", "").replace(",", "."))
        except InvalidOperation:
            raise UsageError(f"Lasten '{value}' is not a number", source=shown, line=line) from None
    if not number.is_finite():
        raise UsageError(f"Lasten '{value}' is not a number", source=shown, line=line)
    return number.quantize(Decimal("0.00001"), rounding=ROUND_HALF_EVEN).normalize()
