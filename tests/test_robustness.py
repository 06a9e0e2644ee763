"""Bad input, generated: random and mutated spend files and scenario files through the command
line. Every outcome is a result (exit 0) or one-line errors with the documented code (2 for
scenario files, 3 for data); never a traceback, never exit 101 (a bug).

Hypothesis runs derandomized here, so CI sees the same cases every run; set
HYPOTHESIS_PROFILE=explore for a longer, random search (`pytest tests/test_robustness.py`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.app import app
from models.sample import SAMPLE_PATH

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "scenarios" / "examples"

settings.register_profile(
    "ci",
    max_examples=120,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The head of the bundled sample: a valid Dutch export (`;`, decimal comma) to mutate.
SAMPLE_HEAD = "".join(SAMPLE_PATH.read_text(encoding="utf-8").splitlines(keepends=True)[:120])
SCENARIO_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.toml"))]


def outcome(args: list[str], allowed: set[int]) -> int:
    """Run the CLI; assert the outcome is a result or clean one-line errors."""
    result = runner.invoke(app, args)
    assert result.exit_code in allowed, (result.exit_code, result.stderr[-500:])
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if result.exit_code != 0:
        lines = result.stderr.splitlines()
        errors = [line for line in lines if line.startswith("error: ")]
        assert errors, result.stderr
        # besides the errors only notes and warnings, each a line of its own
        assert all(line.startswith(("error: ", "note: ", "warning: ", "ok: ")) for line in lines)
    return result.exit_code


def run_on(data: bytes, suffix: str, command: list[str], allowed: set[int]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        return outcome([*command, str(path)], allowed)


# --- spend files -----------------------------------------------------------------------------

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1")


@st.composite
def mutated_export(draw: st.DrawFn) -> bytes:
    """The sample's head with a few of the slips real exports have, then encoded."""
    text = SAMPLE_HEAD
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(
            ["truncate", "insert", "separator", "newline", "huge", "blank", "duplicate",
             "header", "negative", "date"]
        ))  # fmt: skip
        position = draw(st.integers(0, max(len(text) - 1, 0)))
        if kind == "truncate":
            text = text[:position]
        elif kind == "insert":
            text = text[:position] + draw(st.text(max_size=12)) + text[position:]
        elif kind == "separator":
            text = text.replace(";", draw(st.sampled_from([",", "\t", "|", ";;", " "])))
        elif kind == "newline":
            text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n\n", ""])))
        elif kind == "huge":
            text = text[:position] + "9" * draw(st.integers(15, 400)) + text[position:]
        elif kind == "blank":
            lines = text.splitlines(keepends=True)
            if lines:
                lines[position % len(lines)] = ";;\n"
            text = "".join(lines)
        elif kind == "duplicate":
            lines = text.splitlines(keepends=True)
            text = "".join(lines + lines[1 : 1 + position % 5])
        elif kind == "header":
            lines = text.splitlines(keepends=True)
            text = "".join([draw(st.text(max_size=30)) + "\n", *lines[1:]])
        elif kind == "negative":
            text = text.replace(",", draw(st.sampled_from([",-", "-,", ",5-", "(", ",,"])), 3)
        else:
            text = text.replace("2019-0", draw(st.sampled_from(["2019-1", "19-0", "2019/0", "x"])))
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")


@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".txt", ".xlsx", ".parquet"]))
def test_random_bytes_never_crash_the_loader(data: bytes, suffix: str) -> None:
    run_on(data, suffix, ["inspect"], {0, 3})


@given(data=mutated_export())
def test_mutated_exports_never_crash_the_loader(data: bytes) -> None:
    run_on(data, ".csv", ["inspect"], {0, 3})


@settings(max_examples=25)
@given(data=mutated_export())
def test_mutated_exports_never_crash_a_forecast(data: bytes) -> None:
    """The whole way to a forecast (seasonal naive: a fit per example would take too long)."""
    run_on(data, ".csv", ["forecast", "--model", "seasonal-naive", "--format", "csv"], {0, 2, 3})


@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.dates().map(str), st.text(max_size=10), st.integers().map(str)),
            st.text(max_size=15),
            st.one_of(
                st.floats(allow_nan=True, allow_infinity=True).map(repr),
                st.integers(-(10**30), 10**30).map(str),
                st.text(max_size=10),
            ),
        ),
        max_size=40,
    ),
    separator=st.sampled_from([";", ",", "\t"]),
)
def test_generated_tables_never_crash_the_loader(
    rows: list[tuple[str, str, str]], separator: str
) -> None:
    lines = ["datum;categorie;bedrag".replace(";", separator)]
    lines += [separator.join(cell.replace("\n", " ") for cell in row) for row in rows]
    run_on(("\n".join(lines) + "\n").encode("utf-8"), ".csv", ["inspect"], {0, 3})


# --- scenario files ---------------------------------------------------------------------------


@st.composite
def mutated_scenario(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SCENARIO_TEXTS))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "insert", "number", "key", "delete_line"]))
        position = draw(st.integers(0, max(len(text) - 1, 0)))
        if kind == "truncate":
            text = text[:position]
        elif kind == "insert":
            text = text[:position] + draw(st.text(max_size=8)) + text[position:]
        elif kind == "number":
            replacement = draw(st.sampled_from(
                ["3,5", "12.500.000", "1e999", "-0", "nan", "99999999999999999999", "0.05",
                 "2026-13-01", "2026-02-30", '"x"', "[]", "{}"]
            ))  # fmt: skip
            text = text[:position] + replacement + text[position:]
        elif kind == "key":
            text = text.replace("_percent", draw(st.sampled_from(["_procent", "", "_pct"])), 1)
        else:
            lines = text.splitlines(keepends=True)
            if lines:
                del lines[position % len(lines)]
            text = "".join(lines)
    return text


@given(text=mutated_scenario())
def test_mutated_scenarios_are_results_or_exit_2(text: str) -> None:
    # the examples' budget file, so `file = "budget_midden_drenthe.toml"` can resolve
    with tempfile.TemporaryDirectory() as folder:
        budget = EXAMPLES / "budget_midden_drenthe.toml"
        (Path(folder) / budget.name).write_bytes(budget.read_bytes())
        path = Path(folder) / "scenario.toml"
        path.write_text(text, encoding="utf-8")
        outcome(["scenario", "check", str(path), "--data", str(SAMPLE_PATH)], {0, 2})


TOML_VALUES = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(-(10**20), 10**20),
        st.floats(allow_nan=True),
        st.text(max_size=10),
        st.dates(),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),  # fmt: skip
    max_leaves=12,
)
KEYS = st.sampled_from(
    ["scenario", "budget", "indexation", "volume", "measure", "one_off", "name", "unit",
     "categories", "year", "tariff_percent", "applies_to", "start", "effect_percent",
     "ramp_months", "amount_eur", "month", "file", "extends", "from", "until"]
) | st.text(max_size=8)  # fmt: skip


@given(data=st.dictionaries(KEYS, st.dictionaries(KEYS, TOML_VALUES, max_size=5) | TOML_VALUES,
                            max_size=5))  # fmt: skip
def test_generated_toml_is_a_result_or_exit_2(data: dict[str, object]) -> None:
    text = tomli_w.dumps(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.toml"
        path.write_text(text, encoding="utf-8")
        outcome(["scenario", "check", str(path)], {0, 2})


@given(data=st.binary(max_size=2000))
def test_random_bytes_as_a_scenario_or_snapshot_are_exit_2(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.toml"
        path.write_bytes(data)
        outcome(["scenario", "check", str(path)], {0, 2})
        outcome(["scenario", "show", str(path)], {0, 2})
