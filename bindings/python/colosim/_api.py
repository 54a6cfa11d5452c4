"""The facade over the compiled core: inputs from files, dicts and DataFrames; results as
DataFrames and arrays. Everything here is re-exported by the colosim package."""
from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Mapping, Sequence, Union

import numpy as np

from ._colosim import (
    Cluster,
    ClusterView,
    Error,
    GpuType,
    InputError,
    Interference,
    InterferenceData,
    Job,
    Node,
    PendingJob,
    Policy,
    PolicyError,
    PolicyHandle,
    PolicyRegistry,
    Rng,
    SchedulingPass,
    SimulationError,
    Trace,
    importers,
)
from . import _colosim  # after the names: without the module, the line above raises ModuleNotFoundError

__all__ = [
    "Cluster", "ClusterView", "Error", "GpuType", "InputError", "Interference", "InterferenceData", "Job",
    "Node", "PendingJob", "Policy", "PolicyError", "PolicyHandle", "PolicyRegistry", "Result", "Rng",
    "SchedulingPass", "SimulationError", "Trace", "calibrate", "cluster", "compare", "import_trace",
    "importers", "interference", "load_interference_data", "measured_matrix", "policies", "policy",
    "read_jobs_csv", "register_policy", "registry", "run", "trace", "JOBS_COLUMNS", "TIME_SERIES_KEYS",
]


#: The policies ``run(policy="name")`` can make: the built-in ones plus those added with
#: :func:`register_policy`. A value of this module, not global state of the library: make your
#: own with ``colosim.PolicyRegistry.builtin()`` and pass it as ``registry=``.
registry: PolicyRegistry = PolicyRegistry.builtin()

#: Columns of ``Result.jobs``, in order: those of the CLI's jobs.csv.
JOBS_COLUMNS = ("id", "app", "submit_s", "start_s", "end_s", "gpus", "queueing_delay_s", "jct_s", "slowdown",
                "oom_retries", "outcome", "gpu_list", "note")
_STRING_COLUMNS = ("id", "app", "outcome", "gpu_list", "note")
_FLOAT_COLUMNS = ("submit_s", "start_s", "end_s", "queueing_delay_s", "jct_s", "slowdown")
_INT_COLUMNS = ("gpus", "oom_retries")

#: Keys of ``Result.time_series``.
TIME_SERIES_KEYS = ("time_s", "busy_gpus", "gpu_utilisation", "used_mib", "memory_utilisation", "queued", "running")

PathLike = Union[str, "os.PathLike[str]"]


def _is_path(x: Any) -> bool:
    return isinstance(x, (str, os.PathLike))


def _is_dataframe(x: Any) -> bool:
    return type(x).__name__ == "DataFrame" and hasattr(x, "columns") and hasattr(x, "to_dict")


# ----------------------------------------------------------------------------- inputs

def cluster(spec: Cluster | PathLike | Mapping[str, Any]) -> Cluster:
    """A :class:`Cluster` from a Cluster, a spec file (.textproto, .json, .pb) or a dict.

    The dict form mirrors the native schema::

        {"name": "lab", "gpu_types": [{"name": "V100", "memory_mib": 16384, "speed": 1.0}],
         "nodes": [{"name": "n0", "gpu_type": "V100", "gpus": 8}, ...]}

    or, for a uniform cluster, ``{"nodes": 4, "gpus_per_node": 8, "gpu_type": "V100", "memory_mib": 16384}``.
    Raises :class:`InputError` for an inconsistent spec.
    """
    if isinstance(spec, Cluster):
        return spec
    if _is_path(spec):
        return Cluster.load(os.fspath(spec))
    if isinstance(spec, Mapping):
        if isinstance(spec.get("nodes"), int):
            known = {"nodes", "gpus_per_node", "gpu_type", "memory_mib", "speed"}
            unknown = set(spec) - known
            if unknown:
                raise InputError(f"cluster dict: unknown keys {sorted(unknown)} (known: {sorted(known)})")
            return Cluster.uniform(**spec)
        unknown = set(spec) - {"name", "gpu_types", "nodes"}
        if unknown:
            raise InputError(f"cluster dict: unknown keys {sorted(unknown)} (known: name, gpu_types, nodes)")
        types = [t if isinstance(t, GpuType) else GpuType(**t) for t in spec.get("gpu_types", [])]
        nodes = [n if isinstance(n, Node) else Node(**n) for n in spec.get("nodes", [])]
        return Cluster(name=spec.get("name", "cluster"), gpu_types=types, nodes=nodes)
    raise TypeError(f"cannot make a cluster from {type(spec).__name__}")


def trace(source: Trace | PathLike | Any, name: str | None = None) -> Trace:
    """A :class:`Trace` from a Trace, a trace file in any format the CLI reads (.csv, .pb, .json,
    .textproto), a pandas DataFrame, a list of dicts (one per job) or a dict of columns.

    Columns (and dict keys) are those of the CSV job format: required ``id, app, submit_s,
    duration_s, gpus``; optional ``memory_mib, gpu_util`` (default 0), ``gpu_milli, priority,
    user, gpu_types`` ('|'-separated) and ``feature.<name>``. Rows must be sorted by submit time
    and ids unique; a bad value raises :class:`InputError` naming the row (1-based) and column.
    """
    if isinstance(source, Trace):
        return source
    if _is_path(source):
        return Trace.load(os.fspath(source))
    if _is_dataframe(source):
        columns = {str(c): source[c].to_numpy() if source[c].dtype.kind in "biuf" else source[c].tolist()
                   for c in source.columns}
        return Trace.from_columns(name or "DataFrame", columns)
    if isinstance(source, Mapping):
        return Trace.from_columns(name or "columns", dict(source))
    if isinstance(source, Iterable):
        rows = list(source)
        keys: list[str] = []
        for row in rows:
            if not isinstance(row, Mapping):
                raise TypeError("a list of jobs must hold dicts, one per job")
            for k in row:
                if k not in keys:
                    keys.append(k)
        # A key some jobs lack takes its default (optional columns) or stays unknown (features).
        defaults = {"memory_mib": 0, "gpu_util": 0.0, "gpu_milli": 0, "priority": 0, "user": "", "gpu_types": ""}
        columns: dict[str, list[Any]] = {k: [row.get(k, defaults.get(k, np.nan)) for row in rows] for k in keys}
        return Trace.from_columns(name or "jobs", columns)
    raise TypeError(f"cannot make a trace from {type(source).__name__}")


def interference(source: Interference | PathLike | Mapping[Any, float] | Any = "none", *,
                 composition: str = "multiplicative", unknown_pair_slowdown: float | None = None,
                 infeasible: Sequence[tuple[str, str]] = ()) -> Interference:
    """An :class:`Interference` model from:

    - an Interference (returned as it is);
    - ``None`` or ``"none"``: no interference;
    - a path: a pair table .csv (victim,aggressor,slowdown[,feasible]) or a calibrated model .pb,
      as ``colosim run --interference`` reads;
    - a dict ``{(victim, aggressor): slowdown}`` (asymmetric; ``infeasible`` lists pairs that
      cannot share a GPU);
    - a DataFrame with columns victim, aggressor, slowdown (and optionally feasible 0/1);
    - an :class:`InterferenceData` (measured data): calibrated with :func:`calibrate`'s defaults.

    ``composition`` ("multiplicative" or "additive") combines pair slowdowns when three or more
    jobs share a GPU; ``unknown_pair_slowdown`` is used for pairs missing from a table (None: such
    a pair raises :class:`SimulationError` during the run).
    """
    if isinstance(source, Interference):
        return source
    if source is None:
        return Interference.none()
    if isinstance(source, InterferenceData):
        return calibrate(source)
    if _is_path(source):
        return Interference.load(os.fspath(source), composition, unknown_pair_slowdown)
    if _is_dataframe(source):
        missing = {"victim", "aggressor", "slowdown"} - set(source.columns)
        if missing:
            raise InputError(f"interference DataFrame: missing columns {sorted(missing)}")
        pairs, bad = [], list(infeasible)
        feasible = source["feasible"].tolist() if "feasible" in source.columns else [1] * len(source)
        for v, a, s, f in zip(source["victim"], source["aggressor"], source["slowdown"], feasible):
            if int(f) == 0:
                bad.append((str(v), str(a)))
            else:
                pairs.append((str(v), str(a), float(s)))
        return Interference.from_pairs(pairs, bad, composition, unknown_pair_slowdown)
    if isinstance(source, Mapping):
        pairs = []
        for key, s in source.items():
            if not (isinstance(key, tuple) and len(key) == 2):
                raise InputError(f"interference dict: keys must be (victim, aggressor) pairs, got {key!r}")
            pairs.append((str(key[0]), str(key[1]), float(s)))
        return Interference.from_pairs(pairs, list(infeasible), composition, unknown_pair_slowdown)
    raise TypeError(f"cannot make an interference model from {type(source).__name__}")


def load_interference_data(*paths: PathLike) -> InterferenceData:
    """Measured interference data from files, merged: Gavel's throughput JSON, Lucid's
    colocate_info.csv (single_data.csv from the same folder), a pair CSV (victim, aggressor,
    slowdown[, gpu_type]) or a solo-feature CSV (app, ...)."""
    return InterferenceData.load([os.fspath(p) for p in paths])


def calibrate(data: InterferenceData | PathLike | Sequence[PathLike], *, ranks: Sequence[int] | None = None,
              factor_lambdas: Sequence[float] | None = None, shared_factor_lambdas: Sequence[float] | None = None,
              inner_folds: int = 4, seed: int = 1, iterations: int = 40, use_measured: bool = True,
              context_overhead_mib: float = 300.0, composition_exponent: float = 1.0) -> Interference:
    """Fits a calibrated interference model (docs/interference.md) to measured data.

    ``data`` is an :class:`InterferenceData` or the path(s) of its files. Hyper-parameters are
    chosen by ``inner_folds``-fold cross-validation over ``ranks`` x ``factor_lambdas`` (library
    defaults when None); smaller grids fit faster. ``use_measured``: measured pairs are served as
    measured (else smoothed by the fit). Deterministic for a given ``seed``; releases the GIL.
    Returns an :class:`Interference` whose ``kind`` is "calibrated" (``predict_pair``,
    ``fitted_pair``, ``hyper``, ``save``).
    """
    if not isinstance(data, InterferenceData):
        paths = [data] if _is_path(data) else list(data)
        data = load_interference_data(*paths)
    return _colosim.calibrate(data, None if ranks is None else list(ranks),
                              None if factor_lambdas is None else list(factor_lambdas),
                              None if shared_factor_lambdas is None else list(shared_factor_lambdas),
                              inner_folds, seed, iterations, use_measured, context_overhead_mib,
                              composition_exponent)


def measured_matrix(data: InterferenceData, gpu_type: str | None = None, apps: Sequence[str] | None = None):
    """Measured pair slowdowns of ``data`` as a DataFrame [victim, aggressor] (NaN: not measured
    or infeasible), on ``gpu_type`` (None: the first type of the data). For plot.interference_heatmap."""
    import pandas as pd

    pairs = pd.DataFrame(data.pairs_columns())
    if gpu_type is None:
        types = data.gpu_types()
        gpu_type = types[0] if types else ""
    pairs = pairs[(pairs["gpu_type"] == gpu_type) & pairs["feasible"]]
    rows = pd.concat([
        pairs.rename(columns={"app_a": "victim", "app_b": "aggressor", "slowdown_a": "slowdown"})[
            ["victim", "aggressor", "slowdown"]],
        pairs.rename(columns={"app_b": "victim", "app_a": "aggressor", "slowdown_b": "slowdown"})[
            ["victim", "aggressor", "slowdown"]],
    ]).dropna()
    matrix = rows.groupby(["victim", "aggressor"])["slowdown"].mean().unstack()
    names = list(apps) if apps is not None else sorted(set(matrix.index) | set(matrix.columns))
    return matrix.reindex(index=names, columns=names)


# ----------------------------------------------------------------------------- policies

def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if "," in text or "=" in text:
        raise Error(f"policy parameter value {text!r} may not contain ',' or '='")
    return text


def _from_text(text: str, like: Any) -> Any:
    if isinstance(like, bool):
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        raise Error(f"expected true or false, got {text!r}")
    if isinstance(like, int):
        return int(text)
    if isinstance(like, float):
        return float(text)
    return text


def policy(spec: str | Policy | PolicyHandle, params: Mapping[str, Any] | None = None,
           registry: PolicyRegistry | None = None) -> Policy | PolicyHandle:
    """A policy instance for :func:`run`: ``spec`` is a registered name (``"binpack"``), a name
    with parameters (``"random:check_memory=false"``), or a :class:`Policy` instance (returned as
    it is). ``params`` adds parameters (values: str, numbers or bools). Unknown names and
    parameter keys raise :class:`Error` listing what is available (``colosim.policies()``)."""
    if isinstance(spec, (Policy, PolicyHandle)):
        if params:
            raise Error("params apply to a policy given by name, not to an instance")
        return spec
    if isinstance(spec, type) and issubclass(spec, Policy):
        return spec()
    if not isinstance(spec, str):
        raise TypeError(f"policy must be a name, a colosim.Policy instance or a PolicyHandle, got {type(spec).__name__}")
    reg = registry if registry is not None else globals()["registry"]
    text = spec
    if params:
        extra = ",".join(f"{k}={_param_text(v)}" for k, v in params.items())
        text += ("," if ":" in text else ":") + extra
    return reg.make(text)


def register_policy(name: str, cls: type, description: str | None = None,
                    params: Mapping[str, Any] | None = None, registry: PolicyRegistry | None = None) -> None:
    """Makes a Python policy class usable by name: ``run(policy=name)`` then builds a new
    instance per run with ``cls(**params)``.

    ``params`` maps each parameter name to its default, or to ``(default, help)``; values given
    as ``"name:key=value"`` are converted to the default's type (bool, int, float or str).
    ``description`` defaults to the first line of the class docstring. Registers in
    ``colosim.registry`` unless another ``registry`` is given; a name already taken is an Error.
    """
    if not (isinstance(cls, type) and issubclass(cls, Policy)):
        raise TypeError("register_policy needs a subclass of colosim.Policy")
    if description is None:
        doc = (cls.__doc__ or "").strip()
        description = doc.splitlines()[0] if doc else f"Python policy {cls.__name__}"
    defaults: dict[str, Any] = {}
    schema = []
    for key, value in (params or {}).items():
        default, help_text = value if isinstance(value, tuple) else (value, "")
        defaults[key] = default
        schema.append((key, _param_text(default), help_text))

    def factory(values: dict[str, str]) -> Policy:
        kwargs = {}
        for key, text in values.items():
            try:
                kwargs[key] = _from_text(text, defaults[key])
            except (ValueError, Error) as e:
                raise Error(f"policy '{name}': parameter '{key}': {e}") from None
        instance = cls(**kwargs)
        if not isinstance(instance, Policy):
            raise TypeError(f"policy '{name}': {cls.__name__}() did not return a colosim.Policy")
        return instance

    reg = registry if registry is not None else globals()["registry"]
    reg.add_python(name, description, schema, factory)
    if reg is globals()["registry"]:
        _refresh_docs()


def policies(registry: PolicyRegistry | None = None) -> list[dict[str, Any]]:
    """The registered policies: dicts with name, description and params [(name, default, help)]."""
    reg = registry if registry is not None else globals()["registry"]
    return [reg.info(n) for n in reg.names()]


def _policies_text(reg: PolicyRegistry) -> str:
    lines = []
    for info in policies(reg):
        lines.append(f"        {info['name']}: {info['description']}")
        for pname, default, help_text in info["params"]:
            lines.append(f"            {pname} (default {default}): {help_text}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- results

class Result:
    """The outcome of one :func:`run`.

    Attributes:
        policy: the policy's name (with its parameters).
        summary: dict with the keys of the CLI's summary.json (jobs, finished, makespan_s,
            jct_mean_s, jct_p50_s, jct_p95_s, jct_p99_s, queueing_delay_mean_s, slowdown_mean,
            slowdown_p95, gpu_time_utilisation, memory_utilisation, oom_events, oom_failed,
            unschedulable, never_started).
        stats: dict events, passes, rate_updates, warnings (the policy's, e.g. missing inputs).
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
        """Writes ``out_dir``/jobs.csv and summary.json as ``colosim run --out`` does."""
        os.makedirs(out_dir, exist_ok=True)
        self.write_jobs_csv(os.path.join(out_dir, "jobs.csv"))
        with open(os.path.join(out_dir, "summary.json"), "w", encoding="utf-8") as f:
            f.write(self._raw.summary_json(dict(meta or {"policy": self.policy})))

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


def compare(results: Mapping[str, Result] | Iterable[Result]):
    """Summaries side by side: a DataFrame with one row per run (indexed by name, or by policy
    when given a list) and the summary keys as columns."""
    import pandas as pd

    items = results.items() if isinstance(results, Mapping) else [(r.policy, r) for r in results]
    return pd.DataFrame({name: r.summary for name, r in items}).T


# ----------------------------------------------------------------------------- run

def run(cluster: Cluster | PathLike | Mapping[str, Any], trace: Trace | PathLike | Any,
        interference: Interference | PathLike | Mapping[Any, float] | Any = "none",
        policy: str | Policy | PolicyHandle = "binpack", *, policy_params: Mapping[str, Any] | None = None,
        seed: int = 1, discipline: str = "backfill", memory: str = "enforce", max_oom_retries: int | None = None,
        oom_delay_s: float | None = None, backfill_depth: int | None = None, allow_multi_node: bool = True,
        time_series: bool = True, composition: str = "multiplicative",
        unknown_pair_slowdown: float | None = None, registry: PolicyRegistry | None = None) -> Result:
    """Runs one simulation and returns its :class:`Result`, like ``colosim run``.

    Args:
        cluster: a Cluster, a cluster spec file, or a dict (see :func:`colosim.cluster`).
        trace: a Trace, a trace file (.csv, .pb, .json, .textproto; files are streamed), a pandas
            DataFrame, a list of job dicts or a dict of columns (see :func:`colosim.trace`).
        interference: an Interference, "none", a pair table .csv, a calibrated model .pb, a dict
            {(victim, aggressor): slowdown}, a DataFrame or InterferenceData
            (see :func:`colosim.interference`).
        policy: a registered name, optionally with parameters ("random:check_memory=false"), a
            :class:`Policy` instance written in Python, or a PolicyHandle.
        policy_params: parameters for a policy given by name, e.g. {"check_memory": False}.
        seed: seed of all randomness in the run; same inputs and seed give the same results.
        discipline: "backfill" (any pending job that fits may start) or "fifo" (strict).
        memory: "enforce", "overcommit" (over-committed jobs fail out of memory after
            ``oom_delay_s`` and are retried up to ``max_oom_retries`` times) or "ignore".
        max_oom_retries, oom_delay_s, backfill_depth: None keeps the library's default, as the
            CLI does (``colosim._colosim.DEFAULT_CONFIG`` lists them); backfill_depth is the
            number of pending jobs looked at per scheduling pass (0: all).
        allow_multi_node: gangs larger than any node may span whole nodes.
        time_series: record the per-instant series (costs memory on long traces).
        composition, unknown_pair_slowdown: for a pair table given by path, dict or DataFrame.
        registry: where policy names are looked up (default ``colosim.registry``).

    The simulation runs with the GIL released (Python policies take it back while they run), so
    several runs can proceed in threads at once. A policy instance serves one run at a time.

    Raises:
        InputError: bad input (the file, record and field are in the message and attributes).
        PolicyError: a policy broke its contract (e.g. a placement over memory or on a
            nonexistent GPU) or a Python policy raised (then ``__cause__`` is the original
            exception and the message names the policy and the simulated time).
        SimulationError: the run cannot go on (e.g. a pair the interference model cannot answer).

    Policies in colosim.registry (name: description; parameters with defaults):
        {policies}
    """
    the_cluster = globals()["cluster"](cluster)
    the_trace = trace if isinstance(trace, Trace) else (
        os.fspath(trace) if _is_path(trace) else globals()["trace"](trace))
    model = globals()["interference"](interference, composition=composition,
                                      unknown_pair_slowdown=unknown_pair_slowdown)
    the_policy = globals()["policy"](policy, policy_params, registry)
    raw = _colosim.run(the_cluster, the_trace, model, the_policy, seed, discipline, memory, max_oom_retries,
                       None if oom_delay_s is None else float(oom_delay_s), backfill_depth, allow_multi_node,
                       time_series)
    return Result(raw)


_RUN_DOC = run.__doc__ or ""


def _refresh_docs() -> None:
    """Puts the registry's policies and their parameter schema into run()'s docstring."""
    run.__doc__ = _RUN_DOC.replace("{policies}", _policies_text(registry).lstrip())


_refresh_docs()


def import_trace(importer: str, input: PathLike, extra: Sequence[PathLike] = (),
                 options: Mapping[str, Any] | None = None) -> tuple[Trace, Cluster | None, list[str]]:
    """Runs an importer of public traces, as ``colosim convert --from IMPORTER``: returns
    ``(trace, cluster or None, notes)``. ``colosim.importers()`` lists the importers with their
    inputs and options (e.g. "alibaba-gpu-v2023-openb": the pod list, with the node list as
    ``extra``)."""
    opts = {k: _param_text(v) for k, v in (options or {}).items()}
    return _colosim.import_trace(importer, os.fspath(input), [os.fspath(e) for e in extra], opts)
