"""The Prophet adapter: the only module in carecast that imports prophet, cmdstanpy or pandas.

Importing Prophet costs 0.3-1 s (pandas, cmdstanpy, holidays), so `models.forecast` imports this
module only when a Prophet fit is actually needed; `carecast --help` never pays for it.

Monthly set-up (failure kinds FK-13..FK-15 in the research notes):

- history and future dates are first-of-month dates built by carecast itself, never a pandas
  frequency alias (whose meaning has shifted between pandas versions);
- weekly and daily seasonality are off (meaningless for monthly totals); yearly seasonality
  (Prophet's default Fourier order) only when the caller says the history supports it;
- always L-BFGS. Prophet silently picks Newton below 100 rows, which measured 4-8x slower per fit
  and once took 11 s on 25 months. Prophet's own fallback to Newton when L-BFGS fails is kept.

Quiet (FK-22): Prophet's and cmdstanpy's loggers get a NullHandler (so neither cmdstanpy's own
console handler nor Python's last-resort handler prints) and level WARNING (INFO chatter such as
"Chain [1] start processing" is dropped; warnings still reach handlers the CLI installs, e.g. for
--verbose). Prophet's plotting module is imported with matplotlib blocked: plotting is never used,
and importing matplotlib costs 0.3 s and may build a font cache (with a message on stderr) on a
first run. Library FutureWarnings raised inside a fit are ignored. CmdStan writes into a temporary
directory that is removed after every fit, so nothing is left behind.

Deterministic (FK-20): the caller gives a per-series seed. It is passed to Stan's optimiser, and
numpy's global generator - which Prophet 1.5 uses for predictive sampling (np.random.normal,
np.random.uniform, np.random.laplace) - is seeded with it just for the sampling call and then
restored, under a lock so threads cannot interleave their draws. The global generator and the
warnings filters are process-wide: parallel fits should use processes, not threads.

Speed: per series one Stan fit and one `predictive_samples` call on the future months only. Three
pandas-heavy steps inside Prophet and cmdstanpy are replaced by cheaper equivalents that give the
same bits (see `_MonthlyProphet` and `_json_file_optimize`; a test compares with stock Prophet):
together 65 -> 37 ms per 204-month series.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal, cast

import numpy as np


def _quiet_loggers() -> None:
    """Keep library log lines off stdout/stderr unless the application routes them somewhere."""
    for name in ("prophet", "cmdstanpy"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
    # "Importing plotly failed" / "Importing matplotlib failed" are errors about plotting only.
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL + 1)


def _block_plotting() -> list[str]:
    """Make `import matplotlib` / `import plotly` fail fast unless the process already has them."""
    blocked = [name for name in ("matplotlib", "plotly") if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    return blocked


def _unblock_plotting(blocked: list[str]) -> None:
    for name in blocked:
        if name in sys.modules and sys.modules[name] is None:
            del sys.modules[name]


_quiet_loggers()
_blocked = _block_plotting()
try:
    from prophet import Prophet
finally:
    _unblock_plotting(_blocked)
_quiet_loggers()  # prophet.forecaster sets its logger to INFO at import; put WARNING back

import pandas as pd  # noqa: E402  (after the quiet Prophet import on purpose)

_SAMPLING_LOCK = threading.Lock()
_Mode = Literal["additive", "multiplicative"]
_COMPONENTS: dict[tuple[object, ...], tuple[Any, dict[_Mode, list[str]]]] = {}


class _MonthlyProphet(Prophet):
    """Prophet with two pandas-heavy helpers made cheap; the numbers stay bit-for-bit the same.

    Prophet rebuilds a small table (which feature columns belong to which component) with
    pandas.crosstab twice per series, in fit and in predictive_samples: 15 ms of a 63 ms
    forecast. The table depends only on the feature names and modes, the same for every series
    with the same seasonalities, so it is built once per configuration. Models with holidays or
    extra regressors (never used here) take Prophet's own path.
    """

    @staticmethod
    def fourier_series(dates: Any, period: float, series_order: int) -> Any:
        """Prophet's Fourier features, computed on a numpy array instead of a pandas Series.

        Same formula and operation order as Prophet, so the same bits, without pandas overhead
        on each of the 2 x order operations (7 ms per series with yearly seasonality).
        """
        if not series_order >= 1:
            raise ValueError("series_order must be >= 1")
        days = (dates - pd.Timestamp("1970-01-01", tz=dates.dt.tz)).dt.total_seconds() / 86400
        angle = np.pi * 2 * days.to_numpy(dtype=np.float64)
        features = np.empty((angle.shape[0], 2 * series_order))
        for order in range(1, series_order + 1):
            phase = order / period * angle
            features[:, 2 * order - 2] = np.sin(phase)
            features[:, 2 * order - 1] = np.cos(phase)
        return features

    def regressor_column_matrix(
        self, seasonal_features: Any, modes: dict[_Mode, list[str]]
    ) -> tuple[Any, dict[_Mode, list[str]]]:
        if self.train_holiday_names is not None or self.extra_regressors:
            return super().regressor_column_matrix(seasonal_features, modes)
        key = (
            tuple(seasonal_features.columns),
            tuple(modes["additive"]),
            tuple(modes["multiplicative"]),
            self.holidays_mode,
        )
        if key not in _COMPONENTS:
            table, full_modes = super().regressor_column_matrix(seasonal_features, modes)
            _COMPONENTS[key] = (table.copy(), {m: list(v) for m, v in full_modes.items()})
        table, full_modes = _COMPONENTS[key]
        for mode, names in full_modes.items():  # Prophet extends the caller's dict in place
            modes[mode] = list(names)
        copied: Any = table.copy()
        return copied, modes


def _json_file_optimize(optimize: Any, directory: str) -> Any:
    """Wrap CmdStanModel.optimize so data and inits go to CmdStan through json.dumps.

    cmdstanpy serialises them with a pure-Python JSON encoder (6 ms per fit here); the values
    are plain lists of Python numbers already, and json.dumps writes the same text (float repr)
    with the C encoder. The files live in the fit's temporary directory.
    """

    def run(*, data: Any, inits: Any, **kwargs: Any) -> Any:
        paths = []
        for name, content in (("data", data), ("inits", inits)):
            path = os.path.join(directory, f"{name}.json")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(content, default=_plain_number))
            paths.append(path)
        return optimize(data=paths[0], inits=paths[1], **kwargs)

    return run


def _plain_number(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} for CmdStan")


def prophet_paths(
    months: Sequence[date],
    values: np.ndarray,
    future: Sequence[date],
    *,
    yearly: bool,
    n_samples: int,
    seed: int,
    speedups: bool = True,
) -> np.ndarray:
    """Fit Prophet to one monthly series and return predictive sample paths for `future`.

    Returns float64 of shape (n_samples, len(future)), unclipped: the caller applies the
    non-negativity rule so that every model is clipped the same way. The paths are Prophet's
    predictive samples (trend uncertainty plus observation noise), drawn with one
    `predictive_samples` call on the future months only - `predict()` would also compute every
    component for the history, which nothing here uses.

    `speedups=False` runs stock Prophet and cmdstanpy (the tests check that both give the same
    bytes). `seed` must lie in [0, 2**32). Exceptions from Prophet or Stan are passed on; the caller
    decides on a fallback.
    """
    history = pd.DataFrame({"ds": pd.to_datetime(list(months)), "y": np.asarray(values, float)})
    frame = pd.DataFrame({"ds": pd.to_datetime(list(future))})
    model = (_MonthlyProphet if speedups else Prophet)(
        growth="linear",
        yearly_seasonality=yearly,
        weekly_seasonality=False,
        daily_seasonality=False,
        uncertainty_samples=n_samples,
    )
    with (
        tempfile.TemporaryDirectory(prefix="carecast-stan-") as output_dir,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        if speedups:
            stan_model = cast(Any, model.stan_backend).model
            stan_model.optimize = _json_file_optimize(stan_model.optimize, output_dir)
        model.fit(history, algorithm="LBFGS", seed=seed, output_dir=output_dir)
        with _SAMPLING_LOCK:
            state = np.random.get_state()
            np.random.seed(seed)
            try:
                draws = model.predictive_samples(frame)["yhat"]
            finally:
                np.random.set_state(state)
    return np.ascontiguousarray(np.asarray(draws, dtype=np.float64).T)


def versions() -> dict[str, str]:
    """Versions of the modelling stack, for the JSON metadata (FK-20)."""
    from importlib.metadata import version

    from prophet.models import CmdStanPyBackend

    return {
        "prophet": version("prophet"),
        "cmdstan": str(CmdStanPyBackend.CMDSTAN_VERSION),
        "cmdstanpy": version("cmdstanpy"),
        "pandas": str(pd.__version__),
        "numpy": str(np.__version__),
    }
