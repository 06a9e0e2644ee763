"""The README's CI example runs as written: examples/ci/carecast-check.sh against the committed
snapshot of the bundled sample passes, and one changed month makes it fail naming the category
and the year. (The script's own install step is skipped here with CARECAST: tests stay offline.)

When a change to carecast moves the sample's forecast on purpose, update the snapshot:
    .venv/bin/carecast check --snapshot examples/ci/sample.snapshot.toml --update
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from models.sample import SAMPLE_PATH

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "ci" / "carecast-check.sh"
CARECAST = Path(sys.executable).parent / "carecast"


def run_script(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "CARECAST": str(CARECAST), **env}
    environment.pop("NO_COLOR", None)  # the script sets it itself
    return subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, env=environment, cwd=ROOT
    )


def test_the_committed_snapshot_holds() -> None:
    done = run_script()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "80 figures compared: 80 held, 0 moved" in done.stdout
    assert done.stdout.startswith("carecast ")  # the versions come first in the log
    assert "\x1b[" not in done.stdout


def test_a_changed_month_fails_the_pipeline(tmp_path: Path) -> None:
    ledger = tmp_path / "grootboek.csv"
    shutil.copy(SAMPLE_PATH, ledger)
    snapshot = tmp_path / "snapshot.toml"
    made = subprocess.run(
        [str(CARECAST), "check", "--snapshot", str(snapshot), str(ledger), "--update"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert run_script(str(ledger), CARECAST_SNAPSHOT=str(snapshot)).returncode == 0

    text = ledger.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("2026-05;6.72b Jeugdhulp"))
    ledger.write_text(text.replace(line, line.rsplit(";", 1)[0] + ";250000,00"), encoding="utf-8")
    done = run_script(str(ledger), CARECAST_SNAPSHOT=str(snapshot))
    assert done.returncode == 1, done.stdout + done.stderr
    rows = [x for x in done.stdout.splitlines() if x.startswith("6.72b Jeugdhulp behandeling ")]
    assert rows and all(" 2026 " in row or " 2027 " in row or " 2028 " in row or " 2029 " in row
                        for row in rows)  # fmt: skip
    assert any(" 2026 " in row and "forecast" in row for row in rows)
    assert f"- input {ledger}: sha256" in done.stdout
    assert "moved beyond tolerance" in done.stderr


def test_a_bad_snapshot_fails_with_exit_2(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.toml"
    snapshot.write_text("[snapshot]\nformat = 7\n", encoding="utf-8")
    done = run_script(CARECAST_SNAPSHOT=str(snapshot))
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {snapshot}:2:")
