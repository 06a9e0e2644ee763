"""Same input and settings, same bytes: across runs, processes, time zones, locales and hash
seeds; and nothing in carecast reads the wall clock."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "scenarios" / "examples"


def _run(args: list[str], env: dict[str, str]) -> bytes:
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        check=True,
        env={"PATH": os.environ.get("PATH", ""), "NO_COLOR": "1", **env},
        cwd=ROOT,
    )
    return done.stdout


# Two processes that differ in everything a run could pick up by accident.
ENVIRONMENTS = (
    {"TZ": "UTC", "LC_ALL": "C", "PYTHONHASHSEED": "1"},
    {"TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "2", "COLUMNS": "40",
     "POLARS_MAX_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
)


@pytest.mark.parametrize("output_format", ["csv", "json"])
def test_forecast_bytes_are_the_same_in_separate_processes(output_format: str) -> None:
    args = ["forecast", "--format", output_format,
            "--scenario", str(EXAMPLES / "budget_cut.toml")]  # fmt: skip
    first, second = (_run(args, env) for env in ENVIRONMENTS)
    assert first == second
    assert len(first) > 1000


def test_check_json_is_the_same_in_separate_processes(tmp_path: Path) -> None:
    snapshot = tmp_path / "s.toml"
    _run(["check", "--snapshot", str(snapshot), "--model", "ets", "--update"], ENVIRONMENTS[0])
    written = snapshot.read_bytes()
    args = ["check", "--snapshot", str(snapshot), "--model", "ets", "--format", "json"]
    assert _run(args, ENVIRONMENTS[0]) == _run(args, ENVIRONMENTS[1])
    # and --update on an unchanged forecast writes the same snapshot again
    _run(["check", "--snapshot", str(snapshot), "--model", "ets", "--update"], ENVIRONMENTS[1])
    assert snapshot.read_bytes() == written


WALL_CLOCK = {
    ("date", "today"), ("datetime", "now"), ("datetime", "today"), ("datetime", "utcnow"),
    ("time", "time"), ("time", "localtime"), ("time", "gmtime"), ("time", "ctime"),
}  # fmt: skip


def test_no_module_reads_the_wall_clock() -> None:
    """The forecast starts after the data's last complete month, never from today: no call to
    date.today(), datetime.now() or time.time() in the packages (perf_counter, a duration, is
    allowed: it times progress, not results)."""
    found = []
    for package in ("cli", "models", "scenarios"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and (node.value.id, node.attr) in WALL_CLOCK
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_a_re_sorted_export_gives_the_same_bytes(tmp_path: Path) -> None:
    """Lines are counted in whole cents, so their order cannot move a sum in its last bit (and
    Prophet can react to the last bit)."""
    import random

    lines = (ROOT / "models" / "data" / "sample_midden_drenthe.csv").read_text(
        encoding="utf-8"
    ).splitlines()
    body = lines[1:]
    random.Random(4).shuffle(body)
    shuffled = tmp_path / "geschud.csv"
    shuffled.write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8")
    in_order = tmp_path / "op_volgorde.csv"
    in_order.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["forecast", "--model", "prophet", "--format", "csv"]
    assert _run([*args, str(shuffled)], ENVIRONMENTS[0]) == _run([*args, str(in_order)],
                                                                 ENVIRONMENTS[0])  # fmt: skip
