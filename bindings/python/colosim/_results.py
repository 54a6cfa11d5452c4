"""Results of runs: Result (DataFrames, arrays, files), jobs.csv read back, summaries side by side."""
from __future__ import annotations

import os
from typing import Any, Iterable, Mapping

import numpy as np

from . import _colosim
from ._common import PathLike

#: Columns of ``Result.jobs``, in order: those of the CLI's jobs.csv (one definition in the core).
JOBS_COLUMNS = tuple(c["key"] for c in _colosim.job_columns())
_STRING_COLUMNS = tuple(c["key"] for c in _colosim.job_columns() if c["type"] == "str")
_FLOAT_COLUMNS = tuple(c["key"] for c in _colosim.job_columns() if c["type"] == "float")
_INT_COLUMNS = tuple(c["key"] for c in _colosim.job_columns() if c["type"] == "int")

#: Keys of ``Result.summary``, in order: those of the CLI's summary.json (one definition in the core).
SUMMARY_METRICS = tuple(m["key"] for m in _colosim.summary_metrics())

#: Keys of ``Result.time_series``.
TIME_SERIES_KEYS = ("time_s", "busy_gpus", "gpu_utilisation", "used_mib", "memory_utilisation", "queued", "running",
                    "fragmentation_ratio")


class Result:
    """The outcome of one :func:`run`.

    Attributes:
        policy: the policy's name (with its parameters).
        summary: dict with the keys of the CLI's summary.json (SUMMARY_METRICS; counts are ints).
        stats: dict events, passes, rate_updates, warnings (the policy's, e.g. missing inputs),
            queue_order (the order the run used: as named, or the policy's own), predictions (slowdown
            predictions for jobs sharing a GPU) and of them app_fallbacks and gpu_type_fallbacks
            (made outside the interference model's data, as the interference_fallback option allows).
        jobs: pandas DataFrame, one row per job in the order jobs left the simulation, with the
            columns and values of the CLI's jobs.csv (times in seconds, NaN where the CSV is
            empty; slowdown to 6 decimals as printed there).
        time_series: dict of NumPy arrays (see TIME_SERIES_KEYS): the state after each instant
            at which something happened, holding until the next one.
    """

    def __init__(self, raw: _colosim.RunResult):
        self._raw = raw
        self.policy: str = raw.policy
        self.summary: dict[str, Any] = raw.summary
        self.stats: dict[str, Any] = raw.stats
        self._jobs = None
        self._series = None

    @property
    def jobs(self):
        """Per-job records as a pandas DataFrame (columns JOBS_COLUMNS)."""
        if self._jobs is None:
            import pandas as pd

            self._jobs = pd.DataFrame(self._raw.jobs_columns(), columns=list(JOBS_COLUMNS))
        return self._jobs.copy()

    def jobs_array(self) -> np.ndarray:
        """Per-job records as a NumPy structured array (no pandas needed): fields JOBS_COLUMNS,
        strings as fixed-width unicode."""
        columns = self._raw.jobs_columns()
        n = len(self._raw)
        dtype = []
        for name in JOBS_COLUMNS:
            col = columns[name]
            if isinstance(col, list):
                width = max((len(s) for s in col), default=0)
                dtype.append((name, f"U{max(width, 1)}"))
            else:
                dtype.append((name, col.dtype))
        out = np.empty(n, dtype=dtype)
        for name in JOBS_COLUMNS:
            out[name] = columns[name]
        return out

    @property
    def time_series(self) -> dict[str, np.ndarray]:
        """GPU utilisation, memory, queue length and running jobs per instant, as NumPy arrays."""
        if self._series is None:
            self._series = self._raw.time_series()
        return dict(self._series)

    def write_jobs_csv(self, path: PathLike) -> None:
        """Writes jobs.csv byte for byte as ``colosim run --out`` does."""
        self._raw.write_jobs_csv(os.fspath(path))

    def write(self, out_dir: PathLike, meta: Mapping[str, str] | None = None) -> None:
        """Writes ``out_dir``/jobs.csv and summary.json as ``colosim run --out`` does, as one set:
        both complete or neither (each written as ``<name>.partial``, then renamed)."""
        os.makedirs(out_dir, exist_ok=True)
        self._raw.write(os.fspath(out_dir), dict(meta or {"policy": self.policy}))

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        s = self.summary
        return (f"<colosim.Result policy={self.policy!r} jobs={s['jobs']} finished={s['finished']} "
                f"jct_mean_s={s['jct_mean_s']:.3f} makespan_s={s['makespan_s']:.3f}>")


def read_jobs_csv(path: PathLike):
    """Reads a jobs.csv written by ``colosim run --out`` (or Result.write_jobs_csv) into a
    DataFrame with the same columns and dtypes as :attr:`Result.jobs`."""
    import pandas as pd

    return pd.read_csv(os.fspath(path), dtype={c: str for c in _STRING_COLUMNS} | {c: "int64" for c in _INT_COLUMNS},
                       keep_default_na=False, na_values={c: [""] for c in _FLOAT_COLUMNS},
                       float_precision="round_trip")


def summaries(results: Mapping[str, Result] | Iterable[Result]):
    """Summaries side by side: a DataFrame with one row per run (indexed by name, or by policy
    when given a list) and the summary metrics as columns, counts as integers. Two runs with the
    same name are an error (give a dict {name: result}): none is dropped."""
    import pandas as pd

    items = list(results.items()) if isinstance(results, Mapping) else [(r.policy, r) for r in results]
    names = [name for name, _ in items]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise _colosim.Error(f"summaries: several results are named {repeated}; pass a dict {{name: result}} "
                             "to tell them apart")
    frame = pd.DataFrame([r.summary for _, r in items], index=pd.Index(names, name="run"), columns=list(SUMMARY_METRICS))
    for m in _colosim.summary_metrics():
        frame[m["key"]] = frame[m["key"]].astype("int64" if m["type"] == "int" else "float64")
    return frame
