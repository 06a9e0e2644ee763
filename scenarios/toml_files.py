"""Reading TOML files (scenarios, budgets) with messages a finance controller can act on.

Python's tomllib stops at the first syntax error and says only "Invalid value (at line 4,
column 13)". Here every error names the file, line and column, and the offending line is read
again to say what was probably meant: `3,5` (write 3.5), `12.500.000` (write 12500000), unquoted
text, an unquoted `2025-07`. To report *every* problem at once, a line with a syntax error is
blanked and the file parsed again, up to a limit; only simple `key = value` lines are blanked,
so the remaining structure (tables, arrays) stays as written.

The rest of this module is the vocabulary of the validators in parse.py and budget.py: key paths
(`measure[2].effect_percent`), a locator that finds the line of a key path, a problem collector,
and typed getters that explain wrong types ("text needs no quotes around numbers" and so on).
Floats are read as Decimal, so money is never rounded on the way in.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from models.errors import CarecastError, ProblemList, UsageError

YEAR_RANGE = (2000, 2100)
"""Years a scenario or budget may name; anything else is a typo (20226) or a day (26)."""

MAX_SYNTAX_ERRORS = 25  # stop blanking lines after this many; the file needs a closer look

MAX_AMOUNT_EUR = Decimal(10) ** 12
"""Amounts beyond a trillion euro are typos (a unit or exponent slip), and 1e308 overflows to
infinity once tariffs and growth multiply it: refuse them where the line is still known."""

Part = str | int  # a table key, or the 1-based index of an entry in an array of tables


# --- key paths -----------------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def quote_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else in double quotes."""
    if _BARE_KEY.fullmatch(key):
        return key
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@dataclass(frozen=True)
class KeyPath:
    """Where a value sits in a file: `budget.categories."6.72a …".2026`, `measure[2].start`.

    Entries of an array of tables count from 1 (`measure[2]` is the second [[measure]] of the
    file), as a reader counts them. `label` names the entry ("POH jeugd") in messages.
    """

    parts: tuple[Part, ...] = ()
    label: str | None = None

    def key(self, name: str) -> KeyPath:
        return KeyPath((*self.parts, name), self.label)

    def item(self, index: int, label: str | None = None) -> KeyPath:
        return KeyPath((*self.parts, index), label)

    @property
    def dotted(self) -> str:
        text = ""
        for part in self.parts:
            if isinstance(part, int):
                text += f"[{part}]"
            else:
                text += ("." if text else "") + quote_key(part)
        return text

    def __str__(self) -> str:
        return self.dotted + (f' ("{self.label}")' if self.label else "")

    def starts_with(self, prefix: tuple[Part, ...]) -> bool:
        return self.parts[: len(prefix)] == prefix


# --- finding lines of key paths --------------------------------------------------------------


def _read_key(text: str, pos: int) -> tuple[list[str], int] | None:
    """A (dotted) key starting at `pos`, and the position after it; None if there is none."""
    parts: list[str] = []
    while True:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos >= len(text):
            return None
        char = text[pos]
        if char == '"':
            end = pos + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if end >= len(text):
                return None
            raw = text[pos + 1 : end]
            parts.append(raw.replace('\\"', '"').replace("\\\\", "\\"))
            pos = end + 1
        elif char == "'":
            end = text.find("'", pos + 1)
            if end < 0:
                return None
            parts.append(text[pos + 1 : end])
            pos = end + 1
        else:
            match = _BARE_KEY.match(text, pos)
            if match is None:
                return None
            parts.append(match.group())
            pos = match.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        return parts, pos


@dataclass
class _ValueState:
    multiline: str | None = None  # the open `"""` or `'''`
    depth: int = 0  # open brackets and braces

    @property
    def open(self) -> bool:
        return self.multiline is not None or self.depth > 0


def _scan_value(text: str, pos: int, state: _ValueState) -> None:
    """Follow a value to the end of the line: strings, comments, brackets left open."""
    while pos < len(text):
        if state.multiline is not None:
            end = text.find(state.multiline, pos)
            if end < 0:
                return
            pos = end + 3
            state.multiline = None
            continue
        char = text[pos]
        if char == "#":
            return
        if text.startswith(('"""', "'''"), pos):
            state.multiline = text[pos : pos + 3]
            pos += 3
        elif char == '"':
            pos += 1
            while pos < len(text) and text[pos] != '"':
                pos += 2 if text[pos] == "\\" else 1
            pos += 1
        elif char == "'":
            end = text.find("'", pos + 1)
            pos = len(text) if end < 0 else end + 1
        else:
            if char in "[{":
                state.depth += 1
            elif char in "]}":
                state.depth = max(0, state.depth - 1)
            pos += 1


class KeyLocator:
    """The line of each table header and `key =` line of a TOML text, by key path.

    A light scan, not a second parser: it is only used to put a line number on a message, and
    falls back to the nearest enclosing table (`measure[2]`) for keys it cannot place.
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[Part, ...], int] = {}
        self._key_lines: dict[int, tuple[Part, ...]] = {}  # line -> path of the key there
        self._tables: dict[int, tuple[Part, ...]] = {}  # line -> table the line belongs to
        counts: dict[tuple[str, ...], int] = {}
        table: tuple[Part, ...] = ()
        state = _ValueState()
        for number, line in enumerate(text.splitlines(), start=1):
            self._tables[number] = table
            if state.open:
                _scan_value(line, 0, state)
                continue
            stripped = line.lstrip()
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.startswith("["):
                double = stripped.startswith("[[")
                found = _read_key(stripped, 2 if double else 1)
                if found is None:
                    continue
                names = tuple(found[0])
                if double:
                    counts[names] = counts.get(names, 0) + 1
                    table = (*names, counts[names])
                else:
                    table = names
                self._lines.setdefault(table, number)
                self._tables[number] = table
                continue
            found = _read_key(line, 0)
            if found is None:
                continue
            names_, pos = found
            if pos < len(line) and line[pos] == "=":
                path = (*table, *names_)
                self._lines.setdefault(path, number)
                self._key_lines[number] = path
                _scan_value(line, pos + 1, state)

    def line_of(self, path: KeyPath | tuple[Part, ...]) -> int | None:
        """The line of `path`, or of the nearest enclosing table or key that has one."""
        parts = path.parts if isinstance(path, KeyPath) else path
        while parts:
            if parts in self._lines:
                return self._lines[parts]
            parts = parts[:-1]
        return None

    def key_at(self, line: int) -> tuple[Part, ...] | None:
        """The key path of the `key = value` that starts on `line`, if one does."""
        return self._key_lines.get(line)

    def table_at(self, line: int) -> tuple[Part, ...]:
        """The table (header path) that `line` belongs to; () for the top of the file."""
        return self._tables.get(line, ())


# --- problems ----------------------------------------------------------------------------------


@dataclass
class Problems:
    """The problems found in one file, each with its key path and (where known) line.

    `damaged` holds tables that lost a line to a syntax error: a key reported missing there may
    only be the blanked line, so such problems (`needs_whole_table`) are dropped for them.
    """

    source: str
    locator: KeyLocator | None = None
    damaged: tuple[tuple[Part, ...], ...] = ()
    found: list[CarecastError] = field(default_factory=list)

    def add(
        self,
        path: KeyPath,
        problem: str,
        hint: str | None = None,
        *,
        needs_whole_table: bool = False,
    ) -> None:
        if needs_whole_table and any(path.starts_with(table) for table in self.damaged):
            return
        line = self.locator.line_of(path) if self.locator is not None else None
        where = str(path) or None
        self.found.append(
            CarecastError(problem, source=self.source, line=line, where=where, hint=hint)
        )

    def __bool__(self) -> bool:
        return bool(self.found)


def raise_problems(problems: Iterable[CarecastError], order: Sequence[str] = ()) -> None:
    """Raise every problem at once (ProblemList, exit 2), by file, then line, then key path.

    `order` lists the files in the order they should come (the file the user named first);
    others follow by name.
    """
    found = list(problems)
    if not found:
        return
    rank = {source: i for i, source in enumerate(order)}
    found.sort(
        key=lambda p: (
            rank.get(p.source or "", len(rank)),
            p.source or "",
            p.line if p.line is not None else 1 << 30,
            p.column or 0,
            p.where or "",
        )
    )
    raise ProblemList(found)


def did_you_mean(word: str, choices: Iterable[str], *, count: int = 1) -> list[str]:
    """The closest names to a misspelt one, case-insensitively (difflib), best first."""
    options = list(dict.fromkeys(choices))
    folded = {option.casefold(): option for option in options}
    close = difflib.get_close_matches(word.casefold(), list(folded), n=count, cutoff=0.6)
    return [folded[name] for name in close]


def suggestion(word: str, choices: Iterable[str], *, count: int = 1) -> str | None:
    """A "did you mean 'x'?" hint, or None when nothing is close."""
    close = did_you_mean(word, choices, count=count)
    if not close:
        return None
    return "did you mean " + " or ".join(f"'{name}'" for name in close) + "?"


def check_keys(
    table: Mapping[str, object],
    known: Sequence[str],
    path: KeyPath,
    problems: Problems,
    *,
    aliases: Mapping[str, str] | None = None,
) -> None:
    """Every key not in `known` is an error, with the closest known key as a suggestion.

    `aliases` maps likely wrong words (often the Dutch word: "indexatie") to the right key.
    """
    for key in table:
        if key in known:
            continue
        alias = (aliases or {}).get(key.casefold())
        hint = f"did you mean '{alias}'?" if alias in known else suggestion(key, known)
        if hint is None:
            hint = "known keys here: " + ", ".join(known)
        problems.add(path.key(key), f"unknown key '{key}'", hint)


# --- values --------------------------------------------------------------------------------


def type_name(value: object) -> str:
    """What a TOML value is, in the words of a message."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, Decimal | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, time):
        return "a time"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def plain_number(value: Decimal | int) -> str:
    """A number as a person writes it: no exponent, no trailing zeros (5, 0.05, 12500000)."""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def short_number(value: Decimal | int) -> str:
    """plain_number, but a huge or tiny number keeps its exponent (1.000e+308), to fit a line."""
    text = plain_number(value)
    return text if len(text) <= 20 else f"{Decimal(value):.3e}"


_THOUSANDS_DOTS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_THOUSANDS_COMMAS = re.compile(r"[+-]?\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_SPACED = re.compile(r"[+-]?\d{1,3}(?: \d{3})+(?:[.,]\d+)?")


def _grouped(digits: str) -> str:
    """12500000 → 12_500_000 (the integer part only)."""
    sign = digits[0] if digits.startswith(("+", "-")) else ""
    whole, dot, fraction = digits.lstrip("+-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + "_".join(groups) + dot + fraction


def number_hint(text: str) -> str | None:
    """What to write instead of a number in Dutch or English spreadsheet habits, if it is one."""
    value = text.strip()
    if _THOUSANDS_DOTS.fullmatch(value):
        plain = value.replace(".", "").replace(",", ".")
        return f"no thousands dots in numbers: write {plain} or {_grouped(plain)}"
    if _THOUSANDS_COMMAS.fullmatch(value):
        plain = value.replace(",", "")
        return f"no thousands separators in numbers: write {plain} or {_grouped(plain)}"
    if _DECIMAL_COMMA.fullmatch(value):
        whole, fraction = value.split(",")
        hint = f"use a decimal point: write {whole}.{fraction}"
        if len(fraction) == 3:
            hint += f" (or {whole}{fraction} if the comma separates thousands)"
        return hint
    if _SPACED.fullmatch(value):
        plain = value.replace(" ", "").replace(",", ".")
        return f"no spaces in numbers: write {plain} or {_grouped(plain)}"
    if value.endswith("%") and _number_or_none(value[:-1].strip().replace(",", ".")) is not None:
        number = value[:-1].strip().replace(",", ".")
        return f"write the number only: {number} (keys ending in _percent are in percent)"
    if value.startswith(("€", "EUR")) or value.endswith("€"):
        number = value.strip("€").removeprefix("EUR").strip()
        inner = number_hint(number)
        return inner or f"write the amount without €: {number} (amounts are in euro)"
    return None


def cents_hint(number: Decimal) -> str:
    """For a euro amount with more than two decimals: a thousands dot, or too precise."""
    exponent = number.as_tuple().exponent
    if exponent == -3 and abs(number) < 1000:
        whole = plain_number(number * 1000)
        return f"a dot is a decimal point in TOML: for {whole} euro write {whole}"
    return f"round to cents: {plain_number(number.quantize(Decimal('0.01')))}"


def _number_or_none(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# --- syntax errors -------------------------------------------------------------------------

_LOCATION = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")
_KEY_VALUE = re.compile(r"^\s*(?P<key>[^=\[#]+?)\s*=\s*(?P<value>.*?)\s*$")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_SHORT_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_CAPITAL_BOOL = re.compile(r"(?i:true|false|yes|no|ja|nee|waar|onwaar)")
_LIST_TABLES = ("indexation", "volume", "measure", "one_off")


def _strip_comment(value: str) -> str:
    """The value without a trailing comment (outside quotes; good enough for a hint)."""
    quoted: str | None = None
    for i, char in enumerate(value):
        if quoted:
            if char == quoted:
                quoted = None
        elif char in "\"'":
            quoted = char
        elif char == "#":
            return value[:i].rstrip()
    return value.rstrip()


def _syntax_hint(message: str, line_text: str) -> tuple[str, str | None]:
    """A clearer problem text and a hint for a tomllib error on `line_text`."""
    stripped = line_text.strip()
    if message.startswith("Cannot declare") and stripped.startswith("["):
        name = stripped.strip("[] ")
        if name in _LIST_TABLES:
            return (
                f"[{name}] appears twice",
                f"write [[{name}]] (double brackets) for each {name} entry",
            )
        return f"[{name}] appears twice", "give each table once; merge the two"
    if message.startswith("Cannot overwrite a value"):
        if stripped.startswith("[["):
            name = stripped.strip("[] ")
            return (
                f"[[{name}]] clashes with a [{name}] table above",
                f"write every {name} entry as [[{name}]]",
            )
        key_value = _KEY_VALUE.match(line_text)
        key = key_value["key"].strip() if key_value is not None else ""
        if "." in key and not key.startswith(('"', "'")):
            head = key.split(".")[0].strip()
            return (
                f"{key} is a dotted key: it nests under '{head}', which is already given",
                f'quote keys that contain a dot: "{key}" = …',
            )
        return "this key is given twice", "give each key once per table"
    if stripped.startswith("["):
        inner = _strip_comment(stripped).strip("[] ")
        prefix = "budget.categories."
        if inner.startswith(prefix) and '"' not in inner and "'" not in inner:
            return (
                "a table name that TOML cannot read",
                f'quote category names: [{prefix}"{inner.removeprefix(prefix)}"]',
            )
        return "a table header that TOML cannot read", (
            'quote names with spaces or dots: [budget.categories."6.72a Jeugdhulp begeleiding"]'
        )
    match = _KEY_VALUE.match(line_text)
    if match is None:
        if message.startswith("Expected '='"):
            return "a line that is not `key = value`", "write key = value, one per line"
        return message, None
    key, value = match["key"], _strip_comment(match["value"])
    if message.startswith("Expected '='") and " " in key.strip() and key[:1] not in "\"'":
        return "a key with spaces that TOML cannot read", f'quote it: "{key.strip()}" = {value}'
    if message.startswith("Invalid date"):
        return f"{value} is not a date", "check the day and month (a month starts on the 1st)"
    if message.startswith("Illegal character") and value.count('"') % 2 == 1:
        return "text without its closing quote", 'close the quote on the same line: "…"'
    number = number_hint(value)
    if number is not None:
        return f"{value} is not a number in TOML", number
    year_month = _YEAR_MONTH.fullmatch(value)
    if year_month is not None:
        year, month = year_month[1], int(year_month[2])
        return (
            f"{value} is not a TOML date",
            f'a month needs a day or quotes: write {year}-{month:02d}-01 or "{value}"',
        )
    day_first = _DAY_FIRST.fullmatch(value)
    if day_first is not None:
        day, month, year = day_first[1], int(day_first[2]), day_first[3]
        return (
            f"{value} is not a TOML date",
            f"dates are written year first: {year}-{month:02d}-{int(day):02d}",
        )
    short = _SHORT_DATE.fullmatch(value)
    if short is not None:
        year, month, day = short[1], int(short[2]), int(short[3])
        padded = f"{year}-{month:02d}-{day:02d}"
        if padded == value:  # well formed, so the date itself is impossible: 2026-13-01
            return f"{value} is not a date", "check the day and month (a month starts on the 1st)"
        return f"{value} is not a TOML date", f"write two-digit months and days: {padded}"
    if _CAPITAL_BOOL.fullmatch(value) and value not in ("true", "false"):
        word = "true" if value.casefold() in ("true", "yes", "ja", "waar") else "false"
        return f"{value} is not a TOML value", f"write {word} (lower case)"
    if re.fullmatch(r"[+-]?0\d+(\.\d+)?", value):
        plain = value.lstrip("+-").lstrip("0") or "0"
        return f"{value} is not a TOML number", f"numbers do not start with 0: write {plain}"
    if value[:1].isalpha() or (value[:1] not in "\"'[{" and re.search(r"[A-Za-z]{2}", value)):
        return (
            f"{value} is text without quotes",
            f'text needs quotes: {key} = "{value}"',
        )
    return message, None


@dataclass(frozen=True)
class TomlDocument:
    """A TOML file as read: its data, and what went wrong on the way."""

    source: str  # the file, as shown in messages
    text: str
    data: dict[str, Any]
    locator: KeyLocator
    syntax_problems: tuple[CarecastError, ...] = ()
    damaged: tuple[tuple[Part, ...], ...] = ()  # tables that lost a line to a syntax error

    def problems(self) -> Problems:
        """A collector for the semantic problems of this file."""
        return Problems(self.source, self.locator, self.damaged)


def read_text(path: Path, *, what: str = "file") -> str:
    """The file as text (UTF-8, a BOM allowed); a missing or unreadable file is a UsageError."""
    shown = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{what} not found", source=shown, hint="check the path") from None
    except IsADirectoryError:
        raise UsageError(
            f"{what} is a directory", source=shown, hint="check the path: name a file, not a folder"
        ) from None
    except OSError as error:
        raise UsageError(f"cannot read {what}: {error.strerror or error}", source=shown) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UsageError(
            f"{what} is not UTF-8 text",
            source=shown,
            line=line,
            hint="save it as UTF-8 (Excel: 'CSV UTF-8'; an editor: encoding UTF-8)",
        ) from None


def parse_document(text: str, source: str) -> TomlDocument:
    """Parse TOML text, collecting every syntax error the blank-and-retry rule can reach."""
    locator = KeyLocator(text)
    lines = text.splitlines(keepends=True)
    problems: list[CarecastError] = []
    damaged: list[tuple[Part, ...]] = []
    blanked: set[int] = set()
    data: dict[str, Any] = {}
    while True:
        try:
            data = tomllib.loads("".join(lines), parse_float=Decimal)
            break
        except RecursionError:  # tomllib recurses per nesting level: `a = [[[[…`
            raise UsageError(
                "values are nested too deeply to read",
                source=source,
                hint="a scenario or budget needs only a few levels of [tables] and [lists]",
            ) from None
        except tomllib.TOMLDecodeError as error:
            message = str(error)
            found = _LOCATION.search(message)
            base = _LOCATION.sub("", message)
            line: int | None
            column: int | None
            if found is not None and found.group(1) is not None:
                line, column = int(found.group(1)), int(found.group(2))
            else:  # at end of document: the last line that has something on it
                line = max((i + 1 for i, t in enumerate(lines) if t.strip()), default=1)
                column = None
            line_text = lines[line - 1] if 0 < line <= len(lines) else ""
            problem, hint = _syntax_hint(base, line_text.rstrip("\r\n"))
            value = _KEY_VALUE.match(line_text)
            if value is not None and hint is not None and problem.startswith(value["value"][:1]):
                # the problem is the whole value ("3,5 is not a number"): point at its start,
                # not at the character where tomllib gave up
                column = value.start("value") + 1
            key = locator.key_at(line)
            problems.append(
                CarecastError(
                    problem,
                    source=source,
                    line=line,
                    column=column,
                    where=KeyPath(key).dotted if key else None,
                    hint=hint,
                )
            )
            recoverable = (
                key is not None
                and value is not None
                and not value["value"].lstrip().startswith(("[", "{", '"""', "'''"))
                and line not in blanked
                and len(problems) < MAX_SYNTAX_ERRORS
            )
            if not recoverable:
                data = {}
                break
            blanked.add(line)
            lines[line - 1] = "\n"
            damaged.append(locator.table_at(line))
    return TomlDocument(source, text, data, locator, tuple(problems), tuple(damaged))


def read_document(path: Path, *, what: str = "file") -> TomlDocument:
    """Read and parse a TOML file; syntax errors are in the result, not raised."""
    return parse_document(read_text(path, what=what), str(path))


def read_toml(path: Path) -> dict[str, Any]:
    """The data of a TOML file (floats as Decimal), or every syntax error at once (exit 2)."""
    document = read_document(path)
    raise_problems(document.syntax_problems, [document.source])
    return document.data


# --- typed getters -------------------------------------------------------------------------


def _missing(key: str, path: KeyPath, problems: Problems, hint: str | None) -> None:
    problems.add(path.key(key), f"{key} is missing", hint, needs_whole_table=True)


def take_str(
    table: Mapping[str, object],
    key: str,
    path: KeyPath,
    problems: Problems,
    *,
    required: bool = False,
    hint_missing: str | None = None,
) -> str | None:
    """A text value; None when absent or wrong (the problem is recorded)."""
    if key not in table:
        if required:
            _missing(key, path, problems, hint_missing or f'write {key} = "…"')
        return None
    value = table[key]
    if not isinstance(value, str):
        problems.add(
            path.key(key),
            f"{key} must be text, not {type_name(value)}",
            f'text needs quotes: {key} = "…"',
        )
        return None
    if required and not value.strip():
        problems.add(path.key(key), f"{key} is empty", hint_missing)
        return None
    return value


def take_number(
    table: Mapping[str, object],
    key: str,
    path: KeyPath,
    problems: Problems,
    *,
    required: bool = False,
    hint_missing: str | None = None,
) -> Decimal | None:
    """A number (TOML integer or float) as an exact Decimal; None when absent or wrong."""
    if key not in table:
        if required:
            _missing(key, path, problems, hint_missing)
        return None
    return number_value(table[key], path.key(key), problems)


def number_value(value: object, path: KeyPath, problems: Problems) -> Decimal | None:
    """`value` as a finite Decimal, or a problem that says how to write it."""
    name = str(path.parts[-1]) if path.parts else "value"
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        hint: str | None = None
        if isinstance(value, str):
            hint = number_hint(value)
            if hint is None and _number_or_none(value.strip()) is not None:
                hint = f"write the number without quotes: {name} = {value.strip()}"
        problems.add(
            path,
            f"{name} must be a number, not {type_name(value)}",
            hint or f"write a number without quotes, e.g. {name} = 1.5",
        )
        return None
    number = Decimal(value)
    if not number.is_finite():
        problems.add(
            path,
            f"{name} must be a finite number, not {value}",
            "nan and inf are not amounts or rates: write the number itself",
        )
        return None
    return number


def check_amount(
    number: Decimal, path: KeyPath, problems: Problems, *, scale: Decimal = Decimal(1)
) -> bool:
    """False (and a problem) for an amount (× `scale` euro) beyond MAX_AMOUNT_EUR in euro.

    Compared before scaling, so 1e999999 cannot overflow Decimal's exponent range on the way.
    """
    if abs(number) <= MAX_AMOUNT_EUR / scale:
        return True
    problems.add(
        path,
        f"{short_number(number)} is implausibly large: more than € 1.000.000.000.000",
        "check the digits and the unit (EUR or kEUR; one_off and measure amounts are in euro)",
    )
    return False


def take_int(
    table: Mapping[str, object],
    key: str,
    path: KeyPath,
    problems: Problems,
    *,
    required: bool = False,
    hint_missing: str | None = None,
    example: int | None = None,
) -> int | None:
    """A whole number; 6.0 is refused (say 6), so no one wonders what 6.5 months means.

    `example` is a typical value, for the hint when the value is not a whole number at all.
    """
    if key not in table:
        if required:
            _missing(key, path, problems, hint_missing)
        return None
    value = table[key]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    hint = None
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        hint = f"write {key} = {int(value)}"
    elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        hint = f"write the number without quotes: {key} = {value.strip()}"
    elif example is not None:
        hint = f"write {key} = {example}"
    problems.add(path.key(key), f"{key} must be a whole number, not {type_name(value)}", hint)
    return None


def take_bool(
    table: Mapping[str, object], key: str, path: KeyPath, problems: Problems
) -> bool | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool):
        return value
    problems.add(
        path.key(key), f"{key} must be true or false, not {type_name(value)}", f"write {key} = true"
    )
    return None


def check_year(year: int, path: KeyPath, problems: Problems) -> bool:
    low, high = YEAR_RANGE
    if low <= year <= high:
        return True
    problems.add(
        path, f"year {year} is outside {low}..{high}", "write a four-digit year, like 2027"
    )
    return False


_MONTH_TEXT = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def month_value(value: object, path: KeyPath, problems: Problems) -> date | None:
    """A month: a TOML date on the 1st (2026-07-01) or the text "2026-07" / "2026-07-01".

    A date on another day is an error, not rounded: a scenario works in whole months, and
    silently moving 2026-07-15 to July (or to August) would hide a misunderstanding.
    """
    name = str(path.parts[-1]) if path.parts else "date"
    if isinstance(value, datetime) or isinstance(value, time):
        problems.add(
            path,
            f"{name} must be a month, not {type_name(value)}",
            f"write the date only: {name} = 2026-07-01",
        )
        return None
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        match = _MONTH_TEXT.fullmatch(value.strip())
        if match is None:
            problems.add(
                path,
                f"{name}: '{value}' is not a month",
                f'write {name} = 2026-07-01 or {name} = "2026-07"',
            )
            return None
        try:
            day = date(int(match[1]), int(match[2]), int(match[3] or 1))
        except ValueError:
            problems.add(path, f"{name}: '{value}' is not a date", "check the month and day")
            return None
    else:
        problems.add(
            path,
            f"{name} must be a month, not {type_name(value)}",
            f'write {name} = 2026-07-01 or {name} = "2026-07"',
        )
        return None
    if day.day != 1:
        problems.add(
            path,
            f"{name} {day.isoformat()} is not the first of a month",
            f"months start on the 1st: write {day.year}-{day.month:02d}-01 "
            "(a scenario works in whole months)",
        )
        return None
    if not check_year(day.year, path, problems):
        return None
    return day


def take_month(
    table: Mapping[str, object],
    key: str,
    path: KeyPath,
    problems: Problems,
    *,
    required: bool = False,
) -> date | None:
    if key not in table:
        if required:
            _missing(key, path, problems, f"write {key} = 2026-07-01 (the first of a month)")
        return None
    return month_value(table[key], path.key(key), problems)


def take_table(
    table: Mapping[str, object], key: str, path: KeyPath, problems: Problems
) -> dict[str, Any] | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, dict):
        return value
    problems.add(
        path.key(key),
        f"{key} must be a table, not {type_name(value)}",
        f"write it as [{path.key(key).dotted}] with its keys below",
    )
    return None


def take_table_list(
    table: Mapping[str, object], key: str, path: KeyPath, problems: Problems
) -> list[dict[str, Any]]:
    """The entries of an array of tables ([[measure]]); a single [measure] table is an error."""
    if key not in table:
        return []
    value = table[key]
    if isinstance(value, dict):
        problems.add(
            path.key(key),
            f"[{key}] must be a list of tables",
            f"write [[{key}]] (double brackets) for each entry",
        )
        return []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        problems.add(
            path.key(key),
            f"{key} must be a list of tables, not {type_name(value)}",
            f"write [[{key}]] (double brackets) for each entry",
        )
        return []
    return value


def take_str_list(
    table: Mapping[str, object], key: str, path: KeyPath, problems: Problems
) -> list[str] | None:
    """A non-empty list of texts; a bare text is refused with the fix, not guessed."""
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, str):
        problems.add(path.key(key), f"{key} must be a list", f'write {key} = ["{value}"]')
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.add(
            path.key(key),
            f"{key} must be a list of texts",
            f'write {key} = ["jeugd", "6.71a Huishoudelijke hulp (WMO)"]',
        )
        return None
    if not value:
        problems.add(
            path.key(key), f"{key} is empty", f"leave {key} out to apply to every category"
        )
        return None
    return value
