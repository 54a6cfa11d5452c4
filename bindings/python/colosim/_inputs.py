"""Inputs in the forms a notebook has at hand: clusters, traces and interference models from
files, specs, dicts and DataFrames; measured interference data and calibration; importers."""
from __future__ import annotations

import os
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ._colosim import Cluster, GpuType, InputError, Interference, InterferenceData, Node, Trace
from . import _colosim
from ._common import PathLike, _is_dataframe, _is_path, option_text

def cluster(spec: Cluster | PathLike | Mapping[str, Any], trace: PathLike | None = None, *,
            trace_format: str = "") -> Cluster:
    """A :class:`Cluster` from a Cluster, a spec file (.textproto, .json, .pb), a spec such as
    ``"uniform:nodes=4,gpus_per_node=8,memory_mib=16384"``, a dict, or ``None``: the cluster in
    the header of the trace file ``trace``, read as ``trace_format`` (default: by its extension),
    as ``colosim run`` without ``--cluster`` does.

    The dict form mirrors the native schema::

        {"name": "lab", "gpu_types": [{"name": "V100", "memory_mib": 16384, "speed": 1.0}],
         "nodes": [{"name": "n0", "gpu_type": "V100", "gpus": 8}, ...]}

    or, for a uniform cluster, ``{"nodes": 4, "gpus_per_node": 8, "gpu_type": "V100", "memory_mib": 16384}``.
    Raises :class:`InputError` for an inconsistent spec.
    """
    if isinstance(spec, Cluster):
        return spec
    if spec is None:
        if trace is None or not _is_path(trace):
            raise InputError("no cluster: give one, or a trace file whose header holds one")
        return _colosim.resolve_cluster("", os.fspath(trace), trace_format)
    if _is_path(spec):
        return _colosim.resolve_cluster(os.fspath(spec), "")
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


def trace(source: Trace | PathLike | Any, name: str | None = None, *, allow_empty: bool = False) -> Trace:
    """A :class:`Trace` from a Trace, a trace file in any format the CLI reads (.csv, .pb, .json,
    .textproto: ``colosim.trace_formats()``), a pandas DataFrame, a list of dicts (one per job) or
    a dict of columns. No jobs raises :class:`InputError` unless ``allow_empty``.

    Columns (and dict keys) are those of the CSV job format: required ``id, app, submit_s,
    duration_s, gpus``; optional ``memory_mib, gpu_util`` (default 0), ``gpu_milli, priority,
    user, gpu_types`` ('|'-separated) and ``feature.<name>``. Rows must be sorted by submit time
    and ids unique; a bad value raises :class:`InputError` naming the row (1-based) and column.
    """
    if isinstance(source, Trace):
        return source
    if _is_path(source):
        return Trace.load(os.fspath(source), allow_empty)
    if _is_dataframe(source):
        columns = {str(c): source[c].to_numpy() if source[c].dtype.kind in "biuf" else source[c].tolist()
                   for c in source.columns}
        return Trace.from_columns(name or "DataFrame", columns, allow_empty)
    if isinstance(source, Mapping):
        return Trace.from_columns(name or "columns", dict(source), allow_empty)
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
        return Trace.from_columns(name or "jobs", columns, allow_empty)
    raise TypeError(f"cannot make a trace from {type(source).__name__}")


def interference(source: Interference | PathLike | Mapping[Any, float] | Any = "none", *,
                 composition: str | None = None, unknown_pair_slowdown: float | None = None,
                 infeasible: Sequence[tuple[str, str]] = ()) -> Interference:
    """An :class:`Interference` model from:

    - an Interference (returned as it is);
    - ``None`` or ``"none"``: no interference; ``"seed-paper"``: the derived model of the seed
      paper's four applications (Kim & Kim 2020);
    - a path: a pair table .csv (victim,aggressor,slowdown[,feasible]) or a calibrated model .pb,
      as ``colosim run --interference`` reads;
    - a dict ``{(victim, aggressor): slowdown}`` (asymmetric; ``infeasible`` lists pairs that
      cannot share a GPU);
    - a DataFrame with columns victim, aggressor, slowdown (and optionally feasible 0/1);
    - an :class:`InterferenceData` (measured data): calibrated with :func:`calibrate`'s defaults.

    ``composition`` ("multiplicative" or "additive") combines pair slowdowns when three or more
    jobs share a GPU; ``unknown_pair_slowdown`` is used for pairs missing from a table (None: such
    a pair raises :class:`SimulationError` during the run). Both are run options: their defaults
    are those of ``colosim.run_options()``.
    """
    pair_options = {k: option_text(v) for k, v in
                    (("composition", composition), ("unknown_pair_slowdown", unknown_pair_slowdown)) if v is not None}
    if isinstance(source, Interference):
        return source
    if source is None:
        return Interference.none()
    if isinstance(source, InterferenceData):
        return calibrate(source)
    if _is_path(source):
        return Interference.load(os.fspath(source), pair_options)
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
        return Interference.from_pairs(pairs, bad, pair_options)
    if isinstance(source, Mapping):
        pairs = []
        for key, s in source.items():
            if not (isinstance(key, tuple) and len(key) == 2):
                raise InputError(f"interference dict: keys must be (victim, aggressor) pairs, got {key!r}")
            pairs.append((str(key[0]), str(key[1]), float(s)))
        return Interference.from_pairs(pairs, list(infeasible), pair_options)
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



def import_trace(importer: str, input: PathLike, extra: Sequence[PathLike] = (),
                 options: Mapping[str, Any] | None = None) -> tuple[Trace, Cluster | None, list[str]]:
    """Runs an importer of public traces, as ``colosim convert --from IMPORTER``: returns
    ``(trace, cluster or None, notes)``. ``colosim.importers()`` lists the importers with their
    inputs and options (e.g. "alibaba-gpu-v2023-openb": the pod list, with the node list as
    ``extra``)."""
    opts = {k: option_text(v) for k, v in (options or {}).items()}
    return _colosim.import_trace(importer, os.fspath(input), [os.fspath(e) for e in extra], opts)

