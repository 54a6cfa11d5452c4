"""compare() and sweep(): the comparison grid of ``colosim compare`` (clusters x loads x policies x
seeds), run on the C++ thread pool or on a Dask cluster, with the same runs.csv and summary.json
bytes either way. compare() also puts summaries of finished Results side by side."""
from __future__ import annotations

import os
import pickle
import threading
from typing import Any, Iterable, Mapping, Sequence

from . import _colosim, _policies
from ._colosim import CompareSpec, PolicyRegistry
from ._common import PathLike, _is_path, option_text
from ._results import SUMMARY_METRICS, Result, summaries

_INT_METRICS = tuple(m["key"] for m in _colosim.summary_metrics() if m["type"] == "int")
# The run counters runs.csv has after the summary metrics (events, predictions, ...).
_RUN_COUNTS = tuple(_colosim.runs_csv_columns()[5 + len(SUMMARY_METRICS):])
_SPEC_FIELDS = ("trace", "trace_format", "vary", "allow_empty", "clusters", "policies", "seeds", "loads",
                "interference", "baseline")


def _is_results(x: Any) -> bool:
    if isinstance(x, Result):
        return True
    if isinstance(x, Mapping):
        return bool(x) and all(isinstance(v, Result) for v in x.values())
    if isinstance(x, (list, tuple)):
        return bool(x) and all(isinstance(v, Result) for v in x)
    return False


class Comparison:
    """The outcome of a comparison grid (:func:`compare` or :func:`sweep`).

    Attributes:
        runs: pandas DataFrame, one row per run in grid order (cluster slowest, then load, policy,
            seed): run, cluster, load, policy, seed, every metric of SUMMARY_METRICS (counts are
            int64), events, predictions, app_fallbacks, gpu_type_fallbacks. The rows of
            ``colosim compare``'s runs.csv.
        groups: DataFrame, one row per (cluster, load, policy, metric): n, mean, sd and the 95%
            Student-t interval ci_low, ci_high over seeds (None with one seed). The values of
            summary.json's groups.
        paired: DataFrame, one row per (cluster, load, policy other than the baseline, metric):
            the per-seed difference policy - baseline (difference, ci_low, ci_high),
            baseline_mean, relative_change (None when the baseline mean is 0) and significant
            (the interval excludes 0). Empty without a baseline.
        summary_json: the text of summary.json, exactly as ``colosim compare --out`` writes it.
        runs_csv: the bytes of runs.csv, exactly as ``colosim compare --out`` writes them.
        baseline: the baseline policy's label, or None (``note`` says why).
    """

    def __init__(self, experiment: _colosim.Experiment, outcomes: Sequence[_colosim.RunOutcome]):
        self._experiment = experiment
        self._outcomes = list(outcomes)
        analysis = experiment.analyse(self._outcomes)
        self.summary_json: str = analysis["summary_json"]
        self.runs_csv: bytes = experiment.runs_csv(self._outcomes)
        self.baseline: str | None = experiment.baseline
        self.note: str = experiment.note
        self._groups_rows = analysis["groups"]
        self._paired_rows = analysis["paired"]

    @property
    def runs(self):
        import numpy as np
        import pandas as pd

        e = self._experiment
        ordered = sorted(self._outcomes, key=lambda o: o.index)
        points = [e.point(o.index) for o in ordered]
        clusters, loads, policies, seeds = e.clusters, e.loads, e.policies, e.seeds
        columns: dict[str, Any] = {
            "run": np.array([o.index for o in ordered], dtype=np.int64),
            "cluster": [clusters[p[0]] for p in points],
            "load": np.array([loads[p[1]] for p in points], dtype=np.float64),
            "policy": [policies[p[2]] for p in points],
            "seed": np.array([seeds[p[3]] for p in points], dtype=np.int64),
        }
        summaries_ = [o.summary for o in ordered]
        for key in SUMMARY_METRICS:
            dtype = np.int64 if key in _INT_METRICS else np.float64
            columns[key] = np.array([s[key] for s in summaries_], dtype=dtype)
        for key in _RUN_COUNTS:
            columns[key] = np.array([getattr(o, key) for o in ordered], dtype=np.int64)
        return pd.DataFrame(columns)

    @property
    def groups(self):
        import pandas as pd

        return pd.DataFrame(self._groups_rows, columns=[
            "cluster", "load", "policy", "metric", "n", "mean", "sd", "ci_low", "ci_high"])

    @property
    def paired(self):
        import pandas as pd

        return pd.DataFrame(self._paired_rows, columns=[
            "cluster", "load", "policy", "baseline", "metric", "n", "difference", "ci_low", "ci_high",
            "baseline_mean", "relative_change", "significant"])

    def write(self, out_dir: PathLike) -> None:
        """Writes runs.csv and summary.json into ``out_dir`` (created if needed), byte for byte
        as ``colosim compare --out out_dir`` does, as one set: both complete or neither."""
        out = os.fspath(out_dir)
        os.makedirs(out, exist_ok=True)
        _colosim.write_files_atomically([(os.path.join(out, "runs.csv"), self.runs_csv),
                                         (os.path.join(out, "summary.json"), self.summary_json.encode("utf-8"))])

    def __repr__(self) -> str:
        shape = " x ".join(str(n) for n in self._experiment.shape)
        return f"<colosim.Comparison {len(self._outcomes)} runs ({shape}), baseline {self.baseline}>"


def _texts(x: Any) -> list[str]:
    if x is None:
        return []
    if _is_path(x):
        return [os.fspath(x)]
    return [os.fspath(v) for v in x]


def _seeds_text(seeds: Any) -> str:
    if isinstance(seeds, (str, int)):
        return str(seeds)
    return ",".join(str(int(s)) for s in seeds)


def _loads(loads: Any) -> list[float]:
    if isinstance(loads, str):
        return [float(v) for v in loads.split(",")]
    if isinstance(loads, (int, float)):
        return [float(loads)]
    return [float(v) for v in loads]


def _make_spec(fields: Mapping[str, Any], options: Mapping[str, Any]) -> CompareSpec:
    """A CompareSpec from keyword values; raises Error for an unknown option or bad value."""
    if not fields.get("trace"):
        raise _colosim.Error("compare: trace is required (a trace file or a 'gen:...' spec)")
    return CompareSpec(
        trace=os.fspath(fields["trace"]), trace_format=fields.get("trace_format") or "",
        vary=fields.get("vary") or "", allow_empty=bool(fields.get("allow_empty", False)),
        clusters=_texts(fields.get("clusters")),
        policies=_texts(fields.get("policies")), seeds=_seeds_text(fields.get("seeds", "1")),
        loads=_loads(fields.get("loads", 1.0)), interference=os.fspath(fields.get("interference") or "none"),
        baseline=fields.get("baseline") or "",
        options={k: option_text(v) for k, v in options.items() if v is not None})


def _spec_fields(spec: CompareSpec) -> dict[str, Any]:
    return {name: getattr(spec, name) for name in _SPEC_FIELDS}


def compare(results: Mapping[str, Result] | Iterable[Result] | None = None, /, *,
            trace: PathLike | None = None, trace_format: str = "", vary: str = "", allow_empty: bool = False,
            clusters: PathLike | Sequence[PathLike] | None = None,
            policies: str | Sequence[str] | None = None, seeds: str | int | Iterable[int] = "1",
            loads: float | str | Iterable[float] = 1.0, interference: PathLike = "none", baseline: str = "",
            jobs: int | None = None, client: Any = None, registry: PolicyRegistry | None = None,
            **options: Any):
    """Runs a comparison grid like ``colosim compare`` and returns a :class:`Comparison`; or,
    given finished Results, puts their summaries side by side (see :func:`colosim.summaries`: one
    row per run, no run dropped, a repeated name is an Error).

    Args:
        trace: a trace file or a generator spec ``"gen:jobs=500,load=0.9"`` (drawn per seed).
        trace_format, vary, allow_empty: as for :func:`colosim.run` (``--trace-format``,
            ``--vary``, ``--allow-empty``): the trace file's format (default: its extension), how
            the trace varies from seed to seed, and whether a trace without jobs may run.
        clusters: cluster files or ``"uniform:..."`` specs (one or a list); None: the cluster in
            the trace file's header.
        policies: names with parameters (``"random:check_memory=false"``); None: every policy of
            the registry with its defaults.
        seeds: ``"1-10"``, ``"1,2,5"``, an int or a list of ints.
        loads: arrival-rate factors (submit times are divided by each): a number, a list or
            ``"0.5,1,1.5"``.
        interference: ``"none"``, ``"seed-paper"``, a pair table .csv or a calibrated model .pb.
        baseline: the policy the others are compared with seed by seed (default: exclusive when
            it is among the policies).
        jobs: runs at once on the C++ thread pool (default: all cores); with ``client="local"``
            the number of Dask workers.
        client: run the grid on Dask instead (see :func:`sweep`).
        registry: where policy names are looked up (default ``colosim.registry``).
        **options: run options, as for :func:`colosim.run` (``colosim.run_options()``).

    Every input and name is checked before the first run (colosim.Error / InputError).
    Ctrl-C stops the thread pool and raises KeyboardInterrupt.
    """
    if results is not None:
        if trace is not None:
            raise TypeError("compare() takes finished Results or a grid (trace=...), not both")
        if isinstance(results, Result):
            results = [results]
        if not _is_results(results):
            raise TypeError("compare() takes a dict {name: Result}, a list of Results, or trace=... for a grid")
        return summaries(results)
    spec = _make_spec({"trace": trace, "trace_format": trace_format, "vary": vary, "allow_empty": allow_empty,
                       "clusters": clusters, "policies": policies, "seeds": seeds, "loads": loads,
                       "interference": interference, "baseline": baseline}, options)
    return _run_spec(spec, jobs=jobs, client=client, registry=registry)


def sweep(path_or_spec: PathLike | CompareSpec | Mapping[str, Any], *, client: Any = None, jobs: int | None = None,
          registry: PolicyRegistry | None = None, **overrides: Any) -> Comparison:
    """Runs the comparison of a sweep file (colosim.v1.Sweep, .json or .textproto; relative
    paths in it are taken relative to its directory), a CompareSpec or a dict of
    :func:`compare`'s keywords, and returns a :class:`Comparison`.

    ``overrides`` replace the spec's fields (trace, trace_format, vary, allow_empty, clusters,
    policies, seeds, loads, interference, baseline) or set run options, like flags after ``colosim compare --sweep``.

    client: None runs the grid on the C++ thread pool (``jobs`` threads). Otherwise each grid
    point is a Dask task: a ``distributed.Client``, a scheduler address such as
    ``"tcp://scheduler:8786"``, or ``"local"`` (a LocalCluster with ``jobs`` worker processes,
    started and closed for the call). Workers import colosim and re-resolve the spec, so they
    must see the same files at the same paths (a shared filesystem) and have colosim on their
    path; they look policies up in their own ``colosim.registry``. The results are put back in
    grid order: runs.csv and summary.json are byte for byte those of the thread pool.
    """
    if isinstance(path_or_spec, CompareSpec):
        fields, options = _spec_fields(path_or_spec), dict(path_or_spec.options)
    elif isinstance(path_or_spec, Mapping):
        given = dict(path_or_spec)
        fields = {k: given.pop(k) for k in _SPEC_FIELDS if k in given}
        options = given.pop("options", {}) or {}
        options = {**options, **given}
    elif _is_path(path_or_spec):
        spec = _colosim.read_sweep(os.fspath(path_or_spec))
        fields, options = _spec_fields(spec), dict(spec.options)
    else:
        raise TypeError("sweep() takes a sweep file path, a CompareSpec or a dict")
    for key, value in overrides.items():
        if key in _SPEC_FIELDS:
            fields[key] = value
        else:
            options[key] = value
    spec = _make_spec(fields, options)
    return _run_spec(spec, jobs=jobs, client=client, registry=registry)


def _run_spec(spec: CompareSpec, *, jobs: int | None, client: Any, registry: PolicyRegistry | None) -> Comparison:
    if jobs is not None and jobs < 1:
        raise _colosim.Error("jobs must be >= 1")
    reg = registry if registry is not None else _policies.registry
    experiment = _colosim.resolve(spec, reg)  # every input checked here, before any run
    if client is None:
        threads = min(jobs or os.cpu_count() or 1, max(experiment.size, 1))
        return Comparison(experiment, experiment.run_grid(threads))
    return Comparison(experiment, _run_on_dask(experiment, spec, client, jobs))


# --- Dask ---------------------------------------------------------------------------------------

_worker_lock = threading.Lock()
_worker_cache: dict[bytes, _colosim.Experiment] = {}


def _worker_experiment(spec: CompareSpec) -> _colosim.Experiment:
    """The spec resolved once per worker process (inputs are read once, not once per task)."""
    key = pickle.dumps(spec)
    with _worker_lock:
        experiment = _worker_cache.get(key)
        if experiment is None:
            _worker_cache.clear()  # one comparison at a time is the common case; keep memory flat
            experiment = _worker_cache[key] = _colosim.resolve(spec, _policies.registry)
        return experiment


def _run_cell(index: int, spec: CompareSpec) -> tuple:
    """A Dask task: one grid point, returned as plain values (RunOutcome.state())."""
    return _worker_experiment(spec).run_point(index).state()


def _run_on_dask(experiment: _colosim.Experiment, spec: CompareSpec, client: Any, jobs: int | None):
    try:
        import distributed
    except ImportError as error:
        raise ImportError("client= needs Dask's distributed package (Debian: python3-distributed)") from error
    owned: list[Any] = []
    try:
        if isinstance(client, str):
            if client == "local":
                cluster = distributed.LocalCluster(n_workers=jobs or os.cpu_count() or 1, threads_per_worker=1,
                                                   processes=True, dashboard_address=None)
                owned.append(cluster)
                client = distributed.Client(cluster)
            else:
                client = distributed.Client(client)
            owned.append(client)
        elif not isinstance(client, distributed.Client):
            raise TypeError("client must be a distributed.Client, a scheduler address or 'local'")
        futures = client.map(_run_cell, range(experiment.size), spec=spec, pure=False)
        try:
            states = client.gather(futures)
        except BaseException:
            client.cancel(futures)
            raise
        return [experiment.outcome(*state) for state in states]
    finally:
        for thing in reversed(owned):
            thing.close()
