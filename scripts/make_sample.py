"""Write the bundled sample, models/data/sample_midden_drenthe.csv, from the real Iv3 figures.

Run from anywhere: `.venv/bin/python scripts/make_sample.py`. It reads the CBS Iv3 files in
../shared/data/nl_iv3_taakvelden/ (next to the repository) and writes the same bytes every time.

The sample is ILLUSTRATIVE: no municipality publishes monthly spending per taakveld. What is real
are the yearly levels; the monthly shape is made up. How:

* Series: one per Iv3 2023 care taakveld (6.6, 6.71a … 6.82b) on which Midden-Drenthe's
  jaarrekening 2023 has non-zero Lasten, labelled `code name` from models/categories.py.
* 2023: the year total is the jaarrekening 2023 Lasten × 1000, to the cent.
* 2024: 2023 × the growth of the domain's care budget (jeugd or Wmo) from begroting 2023 to
  begroting 2024 of Midden-Drenthe. Per domain, not per taakveld: 2023 was the first year of the
  split codes, and the begroting moved money between sub-codes that had no history yet
  (6.72a +32 %, 6.71c −19 %); the domain sums are steadier.
* 2025 and 2026 forward, 2019–2022 backward: a trend rate per domain, the same 2023→2024 budget
  growth but at least TREND_FLOOR. The floor is for Wmo, whose budget fell into 2024 only because
  begroting 2023 was set too high (the jaarrekening came in 11 % under it); a history that shrinks
  into 2023 would not be plausible. Begroting 2025 cannot be used: all of Midden-Drenthe's 2025
  rows are 0 in the CBS file (the script checks this).
* Within the years: a smooth monthly path (log-linear between mid-year levels), a seasonal profile
  per kind of care (a January dip and December peak from invoice timing, a summer dip in
  dagbesteding and ambulant care), log-normal noise, then every year scaled to its total.
* Two credit notes (negative lines) in CREDIT_MONTH: the month's invoice line is that much higher,
  so the month's and the year's net amounts are unchanged.
* Random numbers from one numpy Generator with seed SEED, drawn in a fixed order.

Output: `Periode;Taakveld;Lasten`, `YYYY-MM`, euros with a decimal comma and two decimals, UTF-8,
LF line ends, months 2019-01 … 2026-09, sorted by month and Iv3 code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script, without installing carecast
    sys.path.insert(0, str(ROOT))

from models.categories import TAAKVELD_BY_CODE, TAAKVELDEN, Taakveld  # noqa: E402

GEMEENTE = "Midden-Drenthe"
IV3_DIR = ROOT.parent / "shared" / "data" / "nl_iv3_taakvelden"
OUTPUT = ROOT / "models" / "data" / "sample_midden_drenthe.csv"
SEED = 20_230_101
FIRST_YEAR, LAST_YEAR, LAST_MONTH = 2019, 2026, 9
TREND_FLOOR = 0.03  # per year: modest, well under the 2023–2024 tariff indexation (5.7–6.4 %)
CREDIT_MONTH = (2023, 11)
CREDIT_CODES = ("6.71a", "6.72b")  # a provider refunds hours billed but not delivered


class Shape(NamedTuple):
    """Seasonal profile and noise of one kind of care (fractions of the monthly level)."""

    jan_dip: float  # invoices for late December arrive in February
    dec_peak: float  # year-end invoices and catch-up billing before the books close
    summer_dip: float  # July and August: fewer days of dagbesteding and ambulant sessions
    noise_sd: float  # log-normal month-to-month noise; larger where few clients carry the cost


SHAPES = {
    "household": Shape(0.03, 0.06, 0.06, 0.04),
    "ambulant": Shape(0.04, 0.10, 0.08, 0.06),
    "daycare": Shape(0.04, 0.08, 0.20, 0.06),
    "residential": Shape(0.02, 0.05, 0.00, 0.07),  # daily rates: little season
    "fixed": Shape(0.00, 0.04, 0.00, 0.05),  # lump sums per month (certified institutions)
    "lumpy": Shape(0.05, 0.20, 0.03, 0.15),  # purchases and one-off arrangements
    "few_clients": Shape(0.00, 0.05, 0.00, 0.25),  # one placement more or less shows
}
KIND = {
    "6.6": "lumpy", "6.71a": "household", "6.71b": "ambulant", "6.71c": "daycare",
    "6.71d": "lumpy", "6.72a": "ambulant", "6.72b": "ambulant", "6.72c": "daycare",
    "6.72d": "ambulant", "6.73a": "residential", "6.73b": "residential", "6.73c": "residential",
    "6.74a": "ambulant", "6.74b": "few_clients", "6.74c": "few_clients",
    "6.81a": "residential", "6.81b": "few_clients", "6.82a": "fixed", "6.82b": "fixed",
}

Floats = npt.NDArray[np.float64]


def read_lasten(path: Path) -> dict[str, int]:
    """Midden-Drenthe's Lasten per taakveld code, in euros (the file counts × € 1.000)."""
    frame = pl.read_csv(
        path,
        separator=";",
        columns=["Gemeenten", "Taakveld", "Lasten"],
        schema_overrides={"Lasten": pl.Float64},
    ).filter(pl.col("Gemeenten") == GEMEENTE)
    if frame.is_empty():
        raise SystemExit(f"{path}: no rows for {GEMEENTE}")
    return {
        str(label).split()[0]: round(float(lasten) * 1000)
        for label, lasten in frame.select("Taakveld", "Lasten").iter_rows()
    }


def care_taakvelden_in(year: int) -> list[Taakveld]:
    return [t for t in TAAKVELDEN if t.first_year <= year <= (t.last_year or year)]


def domain_sum(lasten: dict[str, int], taakvelden: Sequence[Taakveld], domain: str) -> int:
    return sum(lasten.get(t.code, 0) for t in taakvelden if t.domain == domain)


def yearly_targets(iv3_dir: Path) -> tuple[dict[str, dict[int, float]], dict[str, float]]:
    """Year totals per 2023 code, and the budget growth 2023→2024 per domain."""
    actual_2023 = read_lasten(iv3_dir / "iv3_2023_jaarrekening.csv")
    budget_2023 = read_lasten(iv3_dir / "iv3_2023_begroting.csv")
    budget_2024 = read_lasten(iv3_dir / "iv3_2024_begroting.csv")
    budget_2025 = read_lasten(iv3_dir / "iv3_2025_begroting.csv")
    if any(budget_2025.get(t.code, 0) for t in care_taakvelden_in(2025)):
        raise SystemExit(
            f"{GEMEENTE} now has care figures in begroting 2025: use them for 2025 "
            "(per domain, the codes were renumbered) instead of the trend"
        )

    codes_2023 = care_taakvelden_in(2023)
    growth = {
        domain: domain_sum(budget_2024, codes_2023, domain)
        / domain_sum(budget_2023, codes_2023, domain)
        for domain in ("jeugd", "wmo")
    }
    targets: dict[str, dict[int, float]] = {}
    for taakveld in codes_2023:
        level = actual_2023.get(taakveld.code, 0)
        if level == 0:
            continue
        trend = max(growth[taakveld.domain] - 1.0, TREND_FLOOR)
        years = {2023: float(level), 2024: level * growth[taakveld.domain]}
        for year in range(2025, LAST_YEAR + 1):
            years[year] = years[year - 1] * (1.0 + trend)
        for year in range(2022, FIRST_YEAR - 1, -1):
            years[year] = years[year + 1] / (1.0 + trend)
        targets[taakveld.code] = years
    return targets, growth


def seasonal_profile(shape: Shape) -> Floats:
    profile = np.ones(12)
    profile[0] -= shape.jan_dip
    profile[6] -= shape.summer_dip
    profile[7] -= shape.summer_dip
    profile[11] += shape.dec_peak
    result: Floats = profile / profile.mean()
    return result


def smooth_path(years: dict[int, float], trend: float) -> Floats:
    """Monthly level, log-linear between the mid-year points of the yearly totals / 12."""
    first, last = min(years), max(years)
    # one extra knot a year before and after, so the first and last half-years keep the trend
    extended = {first - 1: years[first] / (1 + trend), **years, last + 1: years[last] * (1 + trend)}
    spans = sorted(extended)
    knots = [12 * (y - first) + 5.5 for y in spans]
    log_levels = np.log(np.asarray([extended[y] for y in spans]) / 12)
    months = np.arange(12 * (last - first + 1), dtype=np.float64)
    result: Floats = np.exp(np.interp(months, knots, log_levels))
    return result


def to_cents(values: Floats, total_cents: int) -> list[int]:
    """Round to cents so that they add up to `total_cents` exactly (largest remainder)."""
    scaled = values * (total_cents / values.sum())
    floors = np.floor(scaled)
    cents = [int(c) for c in floors]
    short = total_cents - sum(cents)
    order = np.argsort(-(scaled - floors), kind="stable")
    for i in order[:short]:
        cents[int(i)] += 1
    return cents


def euro(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole},{part:02d}"


def build_sample(iv3_dir: Path) -> str:
    """The sample as CSV text."""
    targets, growth = yearly_targets(iv3_dir)
    rng = np.random.default_rng(SEED)
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    codes = [t.code for t in TAAKVELDEN if t.code in targets]  # Iv3 order

    monthly: dict[str, list[int]] = {}
    for code in codes:
        taakveld = TAAKVELD_BY_CODE[code]
        shape = SHAPES[KIND[code]]
        trend = max(growth[taakveld.domain] - 1.0, TREND_FLOOR)
        values = (
            smooth_path(targets[code], trend)
            * np.tile(seasonal_profile(shape), len(years))
            * np.exp(rng.normal(0.0, shape.noise_sd, 12 * len(years)))
        )
        cents: list[int] = []
        for i, year in enumerate(years):
            cents += to_cents(values[12 * i : 12 * i + 12], round(targets[code][year] * 100))
        monthly[code] = cents

    credit_at = 12 * (CREDIT_MONTH[0] - FIRST_YEAR) + CREDIT_MONTH[1] - 1
    credits = {
        code: -round(monthly[code][credit_at] * rng.uniform(0.04, 0.10)) for code in CREDIT_CODES
    }

    lines = ["Periode;Taakveld;Lasten"]
    for i in range(12 * (LAST_YEAR - FIRST_YEAR) + LAST_MONTH):
        period = f"{FIRST_YEAR + i // 12}-{i % 12 + 1:02d}"
        for code in codes:
            label = TAAKVELD_BY_CODE[code].label
            credit = credits.get(code, 0) if i == credit_at else 0
            lines.append(f"{period};{label};{euro(monthly[code][i] - credit)}")
            if credit:
                lines.append(f"{period};{label};{euro(credit)}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--iv3-dir", type=Path, default=IV3_DIR, help="the CBS Iv3 CSV files")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the CSV")
    args = parser.parse_args(argv)
    text = build_sample(args.iv3_dir)
    args.output.write_bytes(text.encode("utf-8"))
    rows = text.count("\n") - 1
    print(f"wrote {rows} rows to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
