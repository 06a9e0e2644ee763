"""Which files to read: the user's, or the bundled sample when none are given."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from models.sample import SAMPLE_CAPTION, SAMPLE_PATH

if TYPE_CHECKING:
    from scenarios.run import ForecastReport

SAMPLE_LABEL = "bundled sample: " + SAMPLE_PATH.name


@dataclass(frozen=True)
class Inputs:
    paths: list[Path]
    caption: str | None  # says the bundled sample is illustrative
    labels: dict[str, str]  # path -> name shown in reports


def resolve_inputs(inputs: list[Path] | None) -> Inputs:
    if inputs:
        return Inputs(list(inputs), None, {})
    return Inputs([SAMPLE_PATH], SAMPLE_CAPTION, {str(SAMPLE_PATH): SAMPLE_LABEL})


def forecast_report(
    inputs: list[Path] | None,
    columns: tuple[str | None, str | None, str | None, str | None],
    sheet: str | None,
    scenario_files: list[Path] | None,
    *,
    years: int,
    as_of: str | None,
    model: str,
    interval: float,
    seed: int,
    samples: int,
    jobs: int | None = None,
    scheduler: str | None = None,
) -> ForecastReport:
    """The forecast of `forecast` and `check`, from their shared options; the loader's notes,
    the progress of the fits and the warnings go to stderr."""
    from cli import render
    from models.history import parse_as_of
    from models.loading import ColumnChoice
    from models.parallel import default_jobs
    from scenarios.run import ForecastSettings, run_forecast

    cores = default_jobs()
    if jobs is not None and jobs > cores:  # each worker holds its own Prophet: memory, no speed
        render.warn([f"--jobs {jobs} is more than the {cores} cores here: {cores} used"])
        jobs = cores
    settings = ForecastSettings(
        years=years,
        as_of=parse_as_of(as_of) if as_of else None,
        model=model,
        interval=interval,
        seed=seed,
        samples=samples,
        jobs=cores if jobs is None else jobs,
        scheduler=scheduler,
    )
    chosen = resolve_inputs(inputs)
    date, category, amount, group = columns
    with render.progress_bar("fitting") as progress:
        report = run_forecast(
            chosen.paths,
            settings,
            ColumnChoice(date=date, category=category, amount=amount, group=group),
            sheet,
            caption=chosen.caption,
            labels=chosen.labels,
            scenario_files=scenario_files or [],
            progress=progress,
        )
    render.notes(report.sources)
    render.warn(report.warnings)
    return report
