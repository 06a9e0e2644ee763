"""Snapshots for `carecast check`: a forecast written down, read back, and compared with today's.

A snapshot is a TOML file (written with tomli_w) holding what decides a forecast and what came
out of it:

    [snapshot]     format, the carecast version that wrote it
    [tolerance]    eur, percent, probability: how far a figure may move and still hold
    [settings]     model, seed, interval, samples, years, as_of, the data's last complete month
    [versions]     the libraries that decide the numbers
    [[inputs]]     path, sha256, rows of every input file
    [[scenarios]]  name, file, sha256 of the resolved scenario (extends and budget files applied)
    [[scenario_files]]  path, sha256 of every file the scenarios read (themselves, what they
                   extend, budget files), so a cause names the file that changed
    [[figures]]    per scenario × category (domain, total) × year: total, lower, upper, budget,
                   overspend_probability

Comparing: a money figure (total, lower, upper, budget) holds when it moved by at most `eur`
euro OR at most `percent` % of its snapshot value, whichever allows more; the overspend
probability holds within `probability` (0.01 = one percentage point). A figure that appears or
disappears (a new category, a year more) has moved. Changes in inputs, scenarios, settings and
library versions are listed as the likely causes.

Why these defaults (EUR 1 or 0.01 %, probability 0.01): on one machine and one set of library
versions carecast gives the same bytes every run, so any tolerance holds, and a changed month of
actuals moves its year by the whole change. Across machines, floating-point sums in numpy and
Stan's optimiser may round differently in the last digits. Measured as a proxy on the bundled
sample, every input amount times 1 + 1e-6: the default model moved no figure by more than
0.0001 %, `--model prophet` up to 0.64 % (Prophet's optimiser lands on another optimum), so the
README advises about 1 % for snapshots of Prophet forecasts checked on other machines.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from models.errors import UsageError
from models.forecast import MODEL_CHOICES
from scenarios.run import ForecastReport
from scenarios.toml_files import (
    KeyPath,
    Problems,
    check_keys,
    check_year,
    number_value,
    raise_problems,
    read_document,
    take_int,
    take_number,
    take_str,
    take_table,
    take_table_list,
)

FORMAT = 1
LEVELS = ("category", "domain", "total")
MONEY_FIELDS = ("total", "lower", "upper", "budget")
FIGURE_FIELDS = (*MONEY_FIELDS, "overspend_probability")
_FIGURE_KEY = ("scenario", "level", "category", "year")
_SETTING_KEYS = ("model", "seed", "interval", "samples", "years", "as_of", "last_complete_month")


@dataclass(frozen=True)
class Tolerance:
    eur: float = 1.0
    percent: float = 0.01
    probability: float = 0.01

    def check(self) -> None:
        """Refuse tolerances given on the command line that cannot mean anything."""
        for name, value in (("eur", self.eur), ("percent", self.percent)):
            if not 0 <= value < math.inf:
                raise UsageError(f"must be a number of 0 or more, not {value:g}",
                                 where=f"--tolerance-{name}",
                                 hint="0 means: not even a cent may move")  # fmt: skip
        if not 0 <= self.probability <= 1:  # nan fails this too
            raise UsageError(
                f"must be between 0 and 1, not {self.probability:g}",
                where="--tolerance-probability",
                hint="0.01 allows one percentage point",
            )

    def holds_money(self, then: float, now: float) -> bool:
        moved = abs(now - then)
        # a small slack for the float round trip of cents (0.1 + 0.2 != 0.3)
        return moved <= max(self.eur, abs(then) * self.percent / 100) + 1e-6

    def holds_probability(self, then: float, now: float) -> bool:
        return abs(now - then) <= self.probability + 1e-9


@dataclass(frozen=True)
class Figure:
    """One annual row of a forecast, as a snapshot keeps it (money in cents)."""

    scenario: str
    category: str
    domain: str
    level: str  # category, domain, total
    year: int
    values: Mapping[str, float | None]  # FIGURE_FIELDS; None: no budget (so no probability)
    group: str | None = None  # a grouped input's gemeente; None: ungrouped, or over all groups

    @property
    def key(self) -> tuple[str, str, str, str, int]:
        return (self.scenario, self.group or "", self.level, self.category, self.year)


@dataclass(frozen=True)
class Snapshot:
    carecast_version: str
    tolerance: Tolerance
    settings: Mapping[str, str | int | float]
    versions: Mapping[str, str]
    inputs: tuple[tuple[str, str, int], ...]  # path, sha256, rows
    scenarios: tuple[tuple[str, str, str], ...]  # name, file ("" for baseline), sha256
    figures: tuple[Figure, ...]
    scenario_files: tuple[tuple[str, str], ...] = ()  # path, sha256


def snapshot_of(
    report: ForecastReport,
    *,
    carecast_version: str,
    versions: Mapping[str, str],
    tolerance: Tolerance,
) -> Snapshot:
    """Today's forecast as a snapshot."""
    s = report.settings
    settings: dict[str, str | int | float] = {
        "model": s.model,
        "seed": s.seed,
        "interval": s.interval,
        "samples": s.samples,
        "years": s.years,
        "as_of": "" if s.as_of is None else f"{s.as_of:%Y-%m}",
        "last_complete_month": f"{report.last_complete_month:%Y-%m}",
    }
    figures = tuple(
        Figure(
            scenario=row["scenario"],
            category=row["category"],
            domain=row["domain"],
            level=row["level"],
            year=row["year"],
            values={
                name: _rounded(name, row[name]) for name in FIGURE_FIELDS if row[name] is not None
            },
            group=row.get("group"),
        )
        for row in report.annual.iter_rows(named=True)
    )
    return Snapshot(
        carecast_version=carecast_version,
        tolerance=tolerance,
        settings=settings,
        versions=dict(versions),
        inputs=tuple((i.path, i.sha256, i.rows) for i in report.sources),
        scenarios=tuple((c.name, c.path, c.sha256) for c in report.scenario_sources),
        figures=figures,
        scenario_files=tuple(dict.fromkeys(f for c in report.scenario_sources for f in c.files)),
    )


def _rounded(name: str, value: float) -> float:
    """As the json output rounds: cents for money, four decimals for a probability."""
    return round(value, 4 if name == "overspend_probability" else 2) + 0.0


# --- writing ---------------------------------------------------------------------------------

_HEADER = """\
# carecast snapshot: the forecast `carecast check` compares with. Written by carecast; rewrite
# it with `carecast check --snapshot FILE --update`. [tolerance] may be edited by hand.
"""


def dumps_snapshot(snapshot: Snapshot) -> str:
    data: dict[str, Any] = {
        "snapshot": {"format": FORMAT, "carecast_version": snapshot.carecast_version},
        "tolerance": {
            "eur": snapshot.tolerance.eur,
            "percent": snapshot.tolerance.percent,
            "probability": snapshot.tolerance.probability,
        },
        "settings": dict(snapshot.settings),
        "versions": dict(snapshot.versions),
        "inputs": [{"path": p, "sha256": h, "rows": r} for p, h, r in snapshot.inputs],
        "figures": [
            {
                "scenario": f.scenario,
                **({"group": f.group} if f.group is not None else {}),
                "category": f.category,
                "domain": f.domain,
                "level": f.level,
                "year": f.year,
                **{k: f.values[k] for k in FIGURE_FIELDS if f.values.get(k) is not None},
            }
            for f in snapshot.figures
        ],
    }
    if snapshot.scenarios:  # TOML has no null, and an empty list would be written out of place
        data["scenarios"] = [
            {"name": n, "file": f, "sha256": h} for n, f, h in snapshot.scenarios
        ]
        data["scenario_files"] = [{"path": p, "sha256": h} for p, h in snapshot.scenario_files]
    return _HEADER + "\n" + tomli_w.dumps(data)


# --- reading ---------------------------------------------------------------------------------

_TOP_KEYS = (
    "snapshot", "tolerance", "settings", "versions", "inputs", "scenarios", "scenario_files",
    "figures",
)  # fmt: skip
_FIGURE_KEYS = ("scenario", "group", "category", "domain", "level", "year", *FIGURE_FIELDS)
_HINT_UPDATE = "write a new snapshot with --update"


def looks_like_snapshot(path: Path) -> bool:
    """True for an empty file or one carecast wrote as a snapshot (its header comment or a
    [snapshot] table), however damaged: what `check --update` may replace without asking."""
    with Path(path).open("rb") as handle:
        head = handle.read(64 * 1024).decode("utf-8", errors="replace")
    return (
        not head.strip()
        or head.startswith(_HEADER.splitlines()[0][:20])
        or re.search(r"^\s*\[snapshot\]", head, re.MULTILINE) is not None
    )


def load_snapshot(path: Path) -> Snapshot:
    """Read a snapshot file; every problem at once, each naming the key (exit 2)."""
    try:
        document = read_document(path, what="snapshot")
    except UsageError as error:
        if "not UTF-8" not in error.problem:
            raise
        # carecast writes snapshots in UTF-8: this is some other file (Parquet, a workbook)
        raise UsageError(
            "not a carecast snapshot: it is not text",
            source=str(path),
            hint="--snapshot names the TOML file that 'carecast check --update' writes",
        ) from None
    for problem in document.syntax_problems:  # carecast wrote it: damage is fixed by rewriting
        problem.hint = problem.hint or _HINT_UPDATE
    raise_problems(document.syntax_problems, [document.source])
    data = document.data
    if "snapshot" not in data and ("scenario" in data or "budget" in data):
        # a scenario or budget file given where the snapshot goes: say so, not "unknown key"
        kind = "scenario" if "scenario" in data else "budget"
        use = "name it in a scenario's [budget]" if kind == "budget" else "give it with --scenario"
        raise UsageError(
            f"this is a {kind} file, not a snapshot",
            source=document.source,
            hint=f"{use}; --snapshot names the file that 'carecast check --update' writes",
        )
    problems = document.problems()
    root = KeyPath()
    check_keys(data, _TOP_KEYS, root, problems)

    head = take_table(data, "snapshot", root, problems) or {}
    if "snapshot" not in data:
        problems.add(root.key("snapshot"), "[snapshot] is missing: not a carecast snapshot",
                     _HINT_UPDATE)  # fmt: skip
    check_keys(head, ("format", "carecast_version"), root.key("snapshot"), problems)
    form = take_int(head, "format", root.key("snapshot"), problems, required="snapshot" in data)
    if form is not None and form != FORMAT:
        problems.add(
            root.key("snapshot").key("format"),
            f"snapshot format {form} is not the one this carecast reads ({FORMAT})",
            _HINT_UPDATE,
        )
    version = take_str(head, "carecast_version", root.key("snapshot"), problems) or ""

    tolerance = _read_tolerance(take_table(data, "tolerance", root, problems) or {}, problems)
    settings = _read_settings(take_table(data, "settings", root, problems) or {}, problems)
    versions = _read_versions(take_table(data, "versions", root, problems) or {}, problems)

    inputs = []
    for index, entry in enumerate(take_table_list(data, "inputs", root, problems), start=1):
        where = root.key("inputs").item(index)
        check_keys(entry, ("path", "sha256", "rows"), where, problems)
        inputs.append(
            (
                take_str(entry, "path", where, problems, required=True) or "",
                take_str(entry, "sha256", where, problems, required=True) or "",
                take_int(entry, "rows", where, problems, required=True) or 0,
            )
        )
    scenarios = []
    for index, entry in enumerate(take_table_list(data, "scenarios", root, problems), start=1):
        where = root.key("scenarios").item(index)
        check_keys(entry, ("name", "file", "sha256"), where, problems)
        scenarios.append(
            (
                take_str(entry, "name", where, problems, required=True) or "",
                take_str(entry, "file", where, problems) or "",
                take_str(entry, "sha256", where, problems) or "",
            )
        )
    scenario_files = []
    for index, entry in enumerate(take_table_list(data, "scenario_files", root, problems), 1):
        where = root.key("scenario_files").item(index)
        check_keys(entry, ("path", "sha256"), where, problems)
        scenario_files.append(
            (
                take_str(entry, "path", where, problems, required=True) or "",
                take_str(entry, "sha256", where, problems, required=True) or "",
            )
        )
    figures = _read_figures(data, problems)
    for key, what in (("settings", "[settings]"), ("versions", "[versions]"),
                      ("inputs", "[[inputs]]"), ("figures", "[[figures]]")):  # fmt: skip
        if "snapshot" in data and not data.get(key):
            problems.add(root.key(key), f"{what} is missing: the snapshot is incomplete",
                         _HINT_UPDATE)  # fmt: skip
    raise_problems(problems.found, [document.source])
    return Snapshot(
        carecast_version=version,
        tolerance=tolerance,
        settings=settings,
        versions=versions,
        inputs=tuple(inputs),
        scenarios=tuple(scenarios),
        figures=tuple(figures),
        scenario_files=tuple(scenario_files),
    )


def _read_tolerance(table: Mapping[str, object], problems: Problems) -> Tolerance:
    where = KeyPath().key("tolerance")
    check_keys(table, ("eur", "percent", "probability"), where, problems)
    default = Tolerance()
    values: dict[str, float] = {}
    for name in ("eur", "percent", "probability"):
        number = take_number(table, name, where, problems)
        if number is None:
            values[name] = getattr(default, name)
        elif number < 0 or (name == "probability" and number > 1):
            problems.add(
                where.key(name),
                f"{name} must be " + ("between 0 and 1" if name == "probability" else "0 or more"),
                "0 means: no movement at all",
            )
            values[name] = getattr(default, name)
        else:
            values[name] = float(number)
    return Tolerance(**values)


_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _read_settings(table: Mapping[str, object], problems: Problems) -> dict[str, str | int | float]:
    """[settings] as `snapshot_of` writes it; every value checked for its kind and range."""
    where = KeyPath().key("settings")
    check_keys(table, _SETTING_KEYS, where, problems)
    out: dict[str, str | int | float] = {}
    for key in ("seed", "samples", "years"):
        number = take_int(table, key, where, problems, required=True)
        if number is not None and number < 0:
            problems.add(where.key(key), f"{key} must be 0 or more", _HINT_UPDATE)
        elif number is not None:
            out[key] = number
    interval = take_number(table, "interval", where, problems, required=True)
    if interval is not None and not 0 < interval < 1:
        problems.add(where.key("interval"), "interval must be between 0 and 1", _HINT_UPDATE)
    elif interval is not None:
        out["interval"] = float(interval)
    model = take_str(table, "model", where, problems, required=True)
    if model is not None and model not in MODEL_CHOICES:
        problems.add(where.key("model"), f"model '{model}' is not one of "
                     + ", ".join(MODEL_CHOICES), _HINT_UPDATE)  # fmt: skip
    elif model is not None:
        out["model"] = model
    for key, required in (("as_of", False), ("last_complete_month", True)):
        month = take_str(table, key, where, problems, required=required)
        if month is not None and month and not _MONTH.fullmatch(month):
            problems.add(where.key(key), f"{key} '{month}' is not a month", 'write "2026-09"')
        elif month is not None:
            out[key] = month
    out.setdefault("as_of", "")
    return {key: out[key] for key in _SETTING_KEYS if key in out}


def _read_versions(table: Mapping[str, object], problems: Problems) -> dict[str, str]:
    where = KeyPath().key("versions")
    out: dict[str, str] = {}
    for name, value in table.items():
        if not isinstance(value, str):
            problems.add(where.key(name), f"{name} must be text, like \"1.5.0\"", _HINT_UPDATE)
        else:
            out[name] = value
    return out


def _read_figures(data: Mapping[str, object], problems: Problems) -> list[Figure]:
    root = KeyPath()
    figures: list[Figure] = []
    seen: set[tuple[str, str, str, str, int]] = set()
    for index, entry in enumerate(take_table_list(data, "figures", root, problems), start=1):
        where = root.key("figures").item(index)
        check_keys(entry, _FIGURE_KEYS, where, problems)
        texts = {k: take_str(entry, k, where, problems, required=True) for k in _FIGURE_KEY[:3]}
        domain = take_str(entry, "domain", where, problems) or ""
        group = take_str(entry, "group", where, problems)
        year = take_int(entry, "year", where, problems, required=True)
        values: dict[str, float | None] = {}
        for name in FIGURE_FIELDS:
            if name in entry:
                number = number_value(entry[name], where.key(name), problems)
                if number is not None and not math.isfinite(float(number)):  # 1e400
                    problems.add(where.key(name), f"{name} is too large", _HINT_UPDATE)
                elif number is not None:
                    values[name] = float(number)
            elif name in ("total", "lower", "upper"):
                problems.add(where.key(name), f"{name} is missing", _HINT_UPDATE)
        scenario, level, category = texts["scenario"], texts["level"], texts["category"]
        if level is not None and level not in LEVELS:
            problems.add(where.key("level"), f"level '{level}' is not one of "
                         + ", ".join(LEVELS), _HINT_UPDATE)  # fmt: skip
            level = None
        if year is not None and not check_year(year, where.key("year"), problems):
            year = None
        if scenario is None or level is None or category is None or year is None:
            continue
        figure = Figure(scenario, category, domain, level, year, values, group)
        if figure.key in seen:
            problems.add(where, f"figure {category} {year} ({scenario}) appears twice",
                         _HINT_UPDATE)  # fmt: skip
            continue
        seen.add(figure.key)
        figures.append(figure)
    return figures


# --- comparing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Movement:
    """A figure beyond tolerance: `then` in the snapshot, `now` today (None: not there)."""

    figure: Figure
    field: str
    then: float | None
    now: float | None

    @property
    def change(self) -> float | None:
        if self.then is None or self.now is None:
            return None
        return self.now - self.then

    @property
    def change_percent(self) -> float | None:
        if self.change is None or not self.then:
            return None
        return 100 * self.change / abs(self.then)


@dataclass(frozen=True)
class Cause:
    """Something that differs between the snapshot and today: a likely cause of movement."""

    kind: str  # input, scenario, setting, version
    name: str
    then: str | None  # None: it was not there
    now: str | None  # None: it is gone


@dataclass(frozen=True)
class Comparison:
    tolerance: Tolerance
    checked: int  # figures in the snapshot and today
    held: int  # of those, figures whose every value held
    moved: tuple[Movement, ...]
    added: tuple[Figure, ...]  # today, not in the snapshot
    removed: tuple[Figure, ...]  # in the snapshot, not today
    causes: tuple[Cause, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not (self.moved or self.added or self.removed)


def compare(then: Snapshot, now: Snapshot, tolerance: Tolerance) -> Comparison:
    """Every figure of `then` against `now`, in the order of today's forecast."""
    old = {f.key: f for f in then.figures}
    new = {f.key: f for f in now.figures}
    moved: list[Movement] = []
    held = 0
    for key, figure in new.items():
        before = old.get(key)
        if before is None:
            continue
        found = [
            Movement(figure, name, before.values.get(name), figure.values.get(name))
            for name in FIGURE_FIELDS
            if not _holds(name, before.values.get(name), figure.values.get(name), tolerance)
        ]
        moved += found
        held += not found
    return Comparison(
        tolerance=tolerance,
        checked=sum(key in old for key in new),
        held=held,
        moved=tuple(moved),
        added=tuple(f for k, f in new.items() if k not in old),
        removed=tuple(f for k, f in old.items() if k not in new),
        causes=tuple(causes(then, now)),
    )


def _holds(name: str, then: float | None, now: float | None, tolerance: Tolerance) -> bool:
    if then is None or now is None:
        return then is None and now is None  # a budget that came or went has moved
    if name == "overspend_probability":
        return tolerance.holds_probability(then, now)
    return tolerance.holds_money(then, now)


def causes(then: Snapshot, now: Snapshot) -> list[Cause]:
    """What differs in inputs, scenarios, settings and versions, in that order."""
    found: list[Cause] = []
    old_inputs = {p: (h, r) for p, h, r in then.inputs}
    new_inputs = {p: (h, r) for p, h, r in now.inputs}
    # the same content under another path (run from another folder, a renamed copy) is no cause
    moved = {h for p, (h, _) in old_inputs.items() if p not in new_inputs} & {
        h for p, (h, _) in new_inputs.items() if p not in old_inputs
    }
    for path in sorted(old_inputs.keys() | new_inputs.keys()):
        a, b = old_inputs.get(path), new_inputs.get(path)
        renamed = (a or b or ("", 0))[0] in moved and (a is None or b is None)
        if a != b and not renamed:
            found.append(Cause("input", path, _fingerprint(a), _fingerprint(b)))
    old_scenarios = {n: h for n, _, h in then.scenarios}
    new_scenarios = {n: h for n, _, h in now.scenarios}
    for name in sorted(old_scenarios.keys() | new_scenarios.keys()):
        a_hash, b_hash = old_scenarios.get(name), new_scenarios.get(name)
        if a_hash != b_hash:
            found.append(Cause("scenario", name, _short(a_hash), _short(b_hash)))
    old_files, new_files = dict(then.scenario_files), dict(now.scenario_files)
    for path in sorted(old_files.keys() | new_files.keys()):
        a_file, b_file = old_files.get(path), new_files.get(path)
        if a_file != b_file:
            found.append(Cause("scenario_file", path, _short(a_file), _short(b_file)))
    for key in _SETTING_KEYS:
        a_value, b_value = then.settings.get(key), now.settings.get(key)
        if a_value != b_value:
            found.append(Cause("setting", key, _text(a_value), _text(b_value)))
    if then.carecast_version != now.carecast_version:
        found.append(Cause("version", "carecast", then.carecast_version, now.carecast_version))
    for name in sorted(then.versions.keys() | now.versions.keys()):
        a_version, b_version = then.versions.get(name), now.versions.get(name)
        if a_version != b_version:
            found.append(Cause("version", name, a_version, b_version))
    return found


def _fingerprint(entry: tuple[str, int] | None) -> str | None:
    if entry is None:
        return None
    sha256, rows = entry
    return f"sha256 {sha256[:12]}…, {rows} rows"


def _short(sha256: str | None) -> str | None:
    return None if sha256 is None else f"sha256 {sha256[:12]}…"


def _text(value: str | int | float | None) -> str | None:
    return None if value is None else str(value)
