"""Parallel fitting: worker processes and a real Dask LocalCluster give the same bytes as one
process; order, errors and progress are kept."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from cli.app import app
from models.errors import ModelError, UsageError
from models.forecast import forecast_categories
from models.parallel import map_series

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
FIRST = date(2026, 10, 1)


def _square(x: int) -> int:
    return x * x


def _fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


def _die_on_five(x: int) -> int:
    if x == 5:
        import os

        os._exit(9)  # as the kernel's out-of-memory killer would end a worker
    return x


def _frame(series: int) -> pl.DataFrame:
    """`series` seasonal series of 48 months before FIRST, each its own level."""
    rows = []
    for s in range(series):
        rng = np.random.default_rng(s)
        for m in range(48):
            month = date(2022 + m // 12, m % 12 + 1, 1)
            value = (1 + s) * 1_000 * (1 + 0.1 * np.sin(2 * np.pi * m / 12)) + rng.normal(0, 30)
            rows.append((f"reeks {s:02d}", month, float(value)))
    return pl.DataFrame(rows, schema={"category": pl.String, "month": pl.Date,
                                      "amount": pl.Float64}, orient="row")  # fmt: skip


def test_map_series_keeps_order_reports_progress_and_raises() -> None:
    seen: list[tuple[int, int]] = []
    items = [(i,) for i in range(12)]
    for jobs in (1, 2):
        seen.clear()
        assert map_series(_square, items, jobs=jobs, progress=lambda d, t: seen.append((d, t))) == [
            i * i for i in range(12)
        ]
        assert [d for d, _ in seen] == list(range(1, 13)) and {t for _, t in seen} == {12}
    with pytest.raises(ValueError, match="three"):
        map_series(_fail_on_three, items, jobs=2)
    with pytest.raises(UsageError, match="must be 1 or more"):
        map_series(_square, items, jobs=0)
    with pytest.raises(ModelError, match="a worker process stopped"):
        map_series(_die_on_five, items, jobs=2)


def test_worker_processes_give_the_same_paths() -> None:
    frame = _frame(10)
    one = forecast_categories(frame, FIRST, 15, n_samples=200, model="prophet", jobs=1)
    two = forecast_categories(frame, FIRST, 15, n_samples=200, model="prophet", jobs=2)
    assert [f.category for f in two] == [f.category for f in one]
    assert all(a.paths.tobytes() == b.paths.tobytes() and a.note == b.note
               for a, b in zip(one, two, strict=True))  # fmt: skip


def test_a_dask_local_cluster_gives_the_same_paths() -> None:
    distributed = pytest.importorskip("distributed")
    frame = _frame(8)
    local = forecast_categories(frame, FIRST, 15, n_samples=200, model="auto", jobs=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:  # fmt: skip
        done: list[int] = []
        remote = forecast_categories(frame, FIRST, 15, n_samples=200, model="auto",
                                     scheduler=cluster.scheduler_address,
                                     progress=lambda d, t: done.append(d))  # fmt: skip
    assert done == list(range(1, 9))
    assert [(f.category, f.model, f.note) for f in remote] == [
        (f.category, f.model, f.note) for f in local
    ]
    assert all(a.paths.tobytes() == b.paths.tobytes() for a, b in zip(local, remote, strict=True))


def test_cli_jobs_give_the_same_bytes(tmp_path: Path) -> None:
    """A grouped file (3 gemeenten x 4 categories), Prophet in the workers, separate processes."""
    frame = _frame(12).with_columns(
        pl.col("category").str.slice(-2).cast(pl.Int64).alias("n"),
    ).select(
        pl.format("Gemeente {}", pl.col("n") // 4).alias("Gemeente"),
        pl.col("month").dt.strftime("%Y-%m").alias("Periode"),
        pl.format("Regeling {}", pl.col("n") % 4).alias("Taakveld"),
        pl.col("amount").round(2).alias("Bedrag"),
    )
    grouped = tmp_path / "regio.csv"
    frame.write_csv(grouped, separator=";")
    outputs = []
    for jobs in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "cli", "forecast", str(grouped), "--model", "prophet",
             "--jobs", jobs, "--format", "json"],
            capture_output=True, check=True, env={"PATH": "", "NO_COLOR": "1"},
        )  # fmt: skip
        outputs.append(done.stdout)
        assert done.stderr.decode().count("\x1b[") == 0  # no progress bar into a pipe
    assert outputs[0] == outputs[1] and b'"group": "Gemeente 2"' in outputs[0]


def test_an_unreachable_dask_scheduler_is_a_one_line_usage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("distributed")
    import models.parallel

    monkeypatch.setattr(models.parallel, "DASK_CONNECT_TIMEOUT", 1.0)
    result = runner.invoke(app, ["forecast", "--model", "ets", "--dask-scheduler",
                                 "tcp://127.0.0.1:9"])  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --dask-scheduler: cannot reach the Dask scheduler")
    assert result.stderr.count("\n") == 1


def test_a_dask_cluster_without_workers_is_an_error_not_a_hang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    distributed = pytest.importorskip("distributed")
    import models.parallel

    monkeypatch.setattr(models.parallel, "DASK_CONNECT_TIMEOUT", 1.0)
    with distributed.LocalCluster(n_workers=0, dashboard_address=None) as cluster:
        result = runner.invoke(app, ["forecast", "--model", "ets", "--dask-scheduler",
                                     cluster.scheduler_address])  # fmt: skip
    assert result.exit_code == 2
    assert "has no workers — start some: dask worker" in result.stderr


def test_bad_jobs_is_a_usage_error() -> None:
    result = runner.invoke(app, ["forecast", "--jobs", "0"])
    assert result.exit_code == 2 and "error: --jobs: must be 1 or more, got 0 — " in result.stderr


class _Terminal:
    """A stand-in for a terminal's stderr: rich draws on it, the test reads what was drawn."""

    def __init__(self) -> None:
        import io

        self.buffer = io.StringIO()

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return self.buffer.write(text)

    def flush(self) -> None:
        pass


def test_the_progress_bar_draws_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from cli import render

    monkeypatch.setattr(render, "PROGRESS_AFTER_SECONDS", 0.0)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with render.progress_bar("fitting") as update:
        assert update is not None
        for done in range(1, 6):
            update(done, 5)
    drawn = terminal.buffer.getvalue()
    assert "fitting" in drawn and "5/5" in drawn and "series" in drawn
    monkeypatch.setattr(sys, "stderr", __import__("io").StringIO())  # a pipe: nothing at all
    with render.progress_bar("fitting") as update:
        assert update is None


@pytest.mark.parametrize("address", ["garbage", "tcp://", "http://127.0.0.1:8786"])
def test_a_malformed_dask_address_is_refused_at_once(address: str) -> None:
    result = runner.invoke(app, ["forecast", "--model", "ets", "--dask-scheduler", address])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --dask-scheduler: '{address}' is not a Dask scheduler address — write "
        "tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786\n"
    )


def test_a_web_server_at_the_dask_address_is_an_error_not_a_hang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("distributed")
    import http.server
    import threading

    import models.parallel

    monkeypatch.setattr(models.parallel, "DASK_CONNECT_TIMEOUT", 1.0)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        address = f"tcp://127.0.0.1:{server.server_address[1]}"
        result = runner.invoke(app, ["forecast", "--model", "ets", "--dask-scheduler", address])
    finally:
        server.shutdown()
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --dask-scheduler: cannot reach the Dask scheduler "
                                    f"at {address}")  # fmt: skip
    assert result.stderr.count("\n") == 1


def test_more_jobs_than_cores_are_capped_with_a_warning() -> None:
    from models.parallel import default_jobs

    many = str(default_jobs() + 5)
    result = runner.invoke(app, ["forecast", "--model", "ets", "--jobs", many, "--format", "csv"])
    assert result.exit_code == 0
    assert f"warning: --jobs {many} is more than the {default_jobs()} cores here" in result.stderr


def _children(pid: int) -> set[int]:
    """The live child processes of `pid`, from /proc (Linux)."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and fields.get("State", "")[:1] != "Z":
            found.add(int(status.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_sigterm_stops_the_workers_and_writes_nothing(tmp_path: Path) -> None:
    """A cancelled CI job sends SIGTERM to carecast alone: its workers must not live on."""
    import signal
    import time

    out = tmp_path / "out.csv"
    command = [sys.executable, "-c", "from cli.app import main; main()", "forecast", "--jobs", "2",
               "--format", "csv", "--output", str(out)]  # fmt: skip
    run = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and run.poll() is None:
        workers = {p for p in _children(run.pid) if "spawn_main" in _cmdline(p)}
        if len(workers) >= 2:
            break
        time.sleep(0.1)
    assert len(workers) >= 2, "the workers never started"
    run.send_signal(signal.SIGTERM)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 143, stderr
    assert stderr.strip().splitlines()[-1] == "error: stopped (terminated)"
    assert not out.exists()
    time.sleep(1)
    assert not any(Path(f"/proc/{p}").exists() and _alive(p) for p in workers)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
