"""The Prophet adapter: the only module in carecast that imports prophet, cmdstanpy or pandas.

Importing Prophet costs 0.3-1 s (pandas, cmdstanpy, holidays), so `models.forecast` imports this
module only when a Prophet fit is actually needed; `carecast --help` never pays for it.

Monthly set-up (failure kinds FK-13..FK-15 in the research notes):

- history and future dates are first-of-month dates built by carecast itself, never a pandas
  frequency alias (whose meaning has shifted between pandas versions);
- weekly and daily seasonality are off (meaningless for monthly totals); yearly seasonality only
  when the caller says the history supports it;
- always L-BFGS. Prophet silently picks Newton below 100 rows, which measured 4-8x slower per fit
  and once took 11 s on 25 months. Prophet's own fallback to Newton when L-BFGS fails is kept.

Settings, measured (the defaults of `prophet_paths`): multiplicative seasonality,
changepoint_prior_scale 0.2, yearly Fourier order 10 (Prophet's default), changepoint_range 0.95
capped to leave the last year free (*), 25 changepoints, plus the Dutch policy breaks as
changepoints (below). Measured on real monthly
care cost - PBS Cost per ATC1 (15 series) and ATC2 (84, all-zero ones dropped) - by rolling
origin, 3 origins x 12 months ahead, scored on the mean of the paths: mean MASE (scaled by each
origin's in-sample seasonal naive error) and coverage of the 80 % interval. "6 apart": origins 6
months apart, the protocol of the issue's own figures; "12 apart": non-overlapping windows, as
`carecast backtest` places them. Settings were ranked on the mean of the four MASE ratios to
seasonal naive; the choice beats Prophet's defaults ("<- defaults") in all four.

                                       6 apart                   12 apart
    seasonality     cps   K  range  MASE ATC1/2  cov. ATC1/2  MASE ATC1/2  cov. ATC1/2
    additive       0.05  10  0.8   1.50  2.26  0.49  0.56   1.64  1.90  0.46  0.55  <- defaults
    multiplicative 0.05  10  0.8   1.29  2.19  0.49  0.54   1.53  1.84  0.45  0.52
    log            0.05  10  0.8   1.23  2.27  0.59  0.60   1.43  1.93  0.53  0.57
    additive       0.01  10  0.8   2.23  3.07  0.38  0.52   2.25  2.62  0.39  0.52
    additive        0.2  10  0.8   1.30  2.13  0.48  0.55   1.45  1.76  0.43  0.53
    additive        0.5  10  0.8   1.30  2.10  0.47  0.54   1.43  1.72  0.43  0.52
    additive       0.05   3  0.8   1.60  2.36  0.54  0.59   1.73  1.98  0.52  0.59
    additive       0.05   5  0.8   1.49  2.30  0.50  0.57   1.69  1.94  0.46  0.56
    additive       0.05  10 0.95   1.47  2.22  0.48  0.56   1.62  1.84  0.45  0.56
    multiplicative  0.2  10  0.8   1.22  2.07  0.46  0.53   1.39  1.71  0.43  0.51
    multiplicative  0.5  10  0.8   1.21  2.05  0.44  0.52   1.37  1.69  0.41  0.50
    multiplicative  1.0  10  0.8   1.22  2.06  0.45  0.52   1.36  1.70  0.41  0.50
    multiplicative  0.5   3 0.95   1.42  2.10  0.47  0.58   1.38  1.59  0.50  0.59
    multiplicative  0.5   5 0.95   1.34  2.06  0.43  0.53   1.26  1.55  0.45  0.53
    multiplicative  0.5   8 0.95   1.28  2.04  0.41  0.51   1.19  1.52  0.44  0.52
    multiplicative  0.5  12 0.95   1.33  2.15  0.42  0.51   1.24  1.65  0.42  0.50
    multiplicative  0.5  10  0.9   1.27  2.02  0.37  0.51   1.31  1.62  0.40  0.51
    multiplicative  0.5  10 0.98   1.27  2.02  0.40  0.51   1.19  1.58  0.43  0.52
    multiplicative  0.2  10 0.95   1.27  2.00  0.42  0.52   1.22  1.56  0.44  0.52
    multiplicative  0.3  10 0.95   1.26  2.00  0.41  0.52   1.21  1.50  0.42  0.52
    multiplicative  1.0  10 0.95   1.29  2.09  0.41  0.51   1.19  1.57  0.43  0.50
    additive        0.5  10 0.95   1.34  2.04  0.42  0.54   1.34  1.57  0.43  0.53
    log             0.2  10  0.8   1.24  2.22  0.60  0.60   1.41  1.89  0.56  0.57
    log             0.2  10 0.95   1.36  3.23  0.49  0.57   1.26  2.74  0.54  0.58
    multiplicative  0.5  10 0.95   1.25  2.02  0.40  0.52   1.17  1.50  0.42  0.51  <- best
    multiplicative  0.5  10 0.95*  1.26  1.98  0.40  0.52   1.22  1.51  0.43  0.52
    multiplicative  0.3  10 0.95*  1.27  1.98  0.42  0.52   1.26  1.54  0.43  0.52
    multiplicative  0.2  10 0.95*  1.27  1.99  0.41  0.53   1.27  1.59  0.43  0.52  <- chosen
    seasonal naive                  1.42  2.24  0.86  0.83   1.56  1.88  0.84  0.83
    AutoETS (statsforecast)         1.24  1.85  0.76  0.77   1.28  1.36  0.74  0.77

What the table says: multiplicative seasonality (PBS swings grow with the level, as care
spending's do) and a looser trend (cps 0.2-1.0) matter most; cps 0.01 is a disaster, Fourier
order 3-5 underfits the sharp yearly pattern (order 10 on monthly points is nearly one free
value per calendar month), order 12 overfits. A changepoint range of 0.95 lets the trend bend
in the last years, which counts on non-overlapping windows. (*) On a short history 0.95 lets a
loose trend bend on the last few months' noise, so the range is capped to leave the last 12
months free of changepoints (`effective_range`): 0.94 on these 180-204 months, 0.75 on 48. The
log transform helps ATC1 but extrapolates trends exponentially and blows up on some ATC2
series (3.23). Prophet's own 80 % intervals cover only 40-56 % whatever the setting:
`models.calibrate` corrects them. A fit stays at 30-45 ms.

Why cps 0.2 and not the best-scoring 0.5: on PBS's long histories 0.5 gains 1-5 % of MASE, but
Prophet draws future trend changes as large as the fitted ones, and on short histories - the
Dutch case, 60-84 months since 2019 - a loose prior fits large ones to noise. On a steady
synthetic 48-month series the 80 % band after 12 months was 80 % of the level wide at 0.5 and
12 % at 0.2, with some paths below zero; a controller would not take the first seriously.

Policy breaks: when the history spans 2015-01 (the decentralisation: Jeugdwet, Wmo 2015) or
2023-01 (the Iv3 split of the care taakvelden), that month is added to Prophet's changepoints
(`changepoints`), so the trend may bend exactly there. PBS (1991-2008) spans neither, so this is
not in the table; added where nothing happened (fake breaks at 2005-01 on PBS) it changed the
mean MASE by +0.04 (ATC1) and -0.02 (ATC2) at changepoint range 0.8: cheap when idle. On a
synthetic series flat for 20 years and rising from 2023-01 it cut the 12-month error threefold.

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
Seasonality = Literal["additive", "multiplicative", "log"]

# The measured settings (module docstring). Fourier order and changepoint count are
# Prophet's defaults, named here because the research varied them.
SEASONALITY: Seasonality = "multiplicative"
CHANGEPOINT_PRIOR_SCALE = 0.2
FOURIER_ORDER = 10
CHANGEPOINT_RANGE = 0.95
N_CHANGEPOINTS = 25
# Months in which Dutch social-care spending changed rules nationally: the 2015 decentralisation
# (Jeugdwet, Wmo 2015: youth care and support moved to the municipalities) and the 2023 Iv3
# split of the care taakvelden.
POLICY_BREAKS = (date(2015, 1, 1), date(2023, 1, 1))
MIN_MONTHS_AFTER_BREAK = 12
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
    seasonality: Seasonality = SEASONALITY,
    changepoint_prior_scale: float = CHANGEPOINT_PRIOR_SCALE,
    fourier_order: int = FOURIER_ORDER,
    changepoint_range: float = CHANGEPOINT_RANGE,
    policy_breaks: Sequence[date] = POLICY_BREAKS,
) -> np.ndarray:
    """Fit Prophet to one monthly series and return predictive sample paths for `future`.

    Returns float64 of shape (n_samples, len(future)), unclipped: the caller applies the
    non-negativity rule so that every model is clipped the same way. The paths are Prophet's
    predictive samples (trend uncertainty plus observation noise), drawn with one
    `predictive_samples` call on the future months only - `predict()` would also compute every
    component for the history, which nothing here uses.

    The keyword settings default to the measured choice (module docstring). `seasonality="log"`
    fits additive Prophet to log(values) and returns exp of its samples; a history with a zero
    or negative month cannot be logged and gets "multiplicative" instead. `policy_breaks` (by
    default the Dutch POLICY_BREAKS; `()` for none) are added to Prophet's changepoints where
    the history spans them (see `changepoints`).

    `speedups=False` runs stock Prophet and cmdstanpy with the same settings (the tests check
    that both give the same bytes). `seed` must lie in [0, 2**32). Exceptions from Prophet or
    Stan are passed on; the caller decides on a fallback.
    """
    y = np.asarray(values, dtype=np.float64)
    logged = seasonality == "log" and bool((y > 0.0).all())
    mode: _Mode = "additive" if logged or seasonality == "additive" else "multiplicative"
    history = pd.DataFrame({"ds": pd.to_datetime(list(months)), "y": np.log(y) if logged else y})
    frame = pd.DataFrame({"ds": pd.to_datetime(list(future))})
    changepoint_range = effective_range(len(months), changepoint_range)
    breaks = changepoints(months, policy_breaks, changepoint_range=changepoint_range)
    model = (_MonthlyProphet if speedups else Prophet)(
        growth="linear",
        changepoints=None if breaks is None else pd.to_datetime(breaks),
        changepoint_range=changepoint_range,
        changepoint_prior_scale=changepoint_prior_scale,
        yearly_seasonality=fourier_order if yearly else False,
        weekly_seasonality=False,
        daily_seasonality=False,
        seasonality_mode=mode,
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
    paths = np.ascontiguousarray(np.asarray(draws, dtype=np.float64).T)
    return np.exp(paths) if logged else paths


def effective_range(n_months: int, changepoint_range: float = CHANGEPOINT_RANGE) -> float:
    """`changepoint_range`, cut so that Prophet's last own changepoint lies at least
    MIN_MONTHS_AFTER_BREAK months before the end of the history: a new slope is then measured
    over a full year. On 204 months that is 0.94 instead of 0.95; on 48 months it is 0.75 -
    without the cut, a loose trend (cps 0.5) bent on the last two or three months' noise and
    missed a synthetic 48-month series by 12 % (0.95) instead of 5 %.
    """
    if n_months <= MIN_MONTHS_AFTER_BREAK:
        return changepoint_range
    return min(changepoint_range, 1.0 - MIN_MONTHS_AFTER_BREAK / n_months)


def changepoints(
    months: Sequence[date],
    breaks: Sequence[date] = POLICY_BREAKS,
    *,
    changepoint_range: float = CHANGEPOINT_RANGE,
    n_changepoints: int = N_CHANGEPOINTS,
) -> list[date] | None:
    """Prophet's own changepoints plus the `breaks` the history spans; None when it spans none
    (then Prophet places its own: the same months).

    A break counts when it lies after the first observed month and at least
    MIN_MONTHS_AFTER_BREAK observed months fall on or after it: the new slope is then measured
    over a full year, not read from a few months of seasonal noise. Such a break may lie in the
    last part of the history, where Prophet places no changepoint of its own - which is where it
    matters: inside Prophet's grid (a changepoint every few months) it only moves a bend to the
    exact month. Prophet's grid is reproduced (`Prophet.set_changepoints`: `n_changepoints`
    evenly spaced by row over the first `changepoint_range` of the history) so that the breaks
    are added to it; passing the breaks alone would replace it.
    """
    ordered = list(months)
    inside = [
        b
        for b in breaks
        if ordered and ordered[0] < b and sum(m >= b for m in ordered) >= MIN_MONTHS_AFTER_BREAK
    ]
    if not inside:
        return None
    size = int(np.floor(len(ordered) * changepoint_range))
    count = min(n_changepoints, size - 1)
    grid: list[int] = (
        np.linspace(0, size - 1, count + 1).round().astype(int)[1:].tolist() if count > 0 else []
    )
    return sorted({ordered[i] for i in grid} | set(inside))


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
