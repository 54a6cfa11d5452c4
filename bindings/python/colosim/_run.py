"""run(): one simulation, as ``colosim run`` does, with the same options."""
from __future__ import annotations

import os
from typing import Any, Mapping

from ._colosim import Cluster, Interference, Policy, PolicyHandle, PolicyRegistry, Trace
from . import _colosim, _inputs, _policies
from ._common import PathLike, _is_path, option_text
from ._results import Result

def run(cluster: Cluster | PathLike | Mapping[str, Any] | None, trace: Trace | PathLike | Any,
        interference: Interference | PathLike | Mapping[Any, float] | Any = "none",
        policy: str | Policy | PolicyHandle = "binpack", *, policy_params: Mapping[str, Any] | None = None,
        seed: int = 1, time_series: bool = True, registry: PolicyRegistry | None = None,
        trace_format: str = "", vary: str = "", allow_empty: bool = False,
        _validate_mape_floor_s: float | None = None, **options: Any) -> Result:
    """Runs one simulation and returns its :class:`Result`, like ``colosim run``.

    Args:
        cluster: a Cluster, a cluster file, a spec ``"uniform:nodes=4,gpus_per_node=8"``, a dict
            (see :func:`colosim.cluster`), or None: the cluster in the trace file's header.
        trace: a Trace, a trace file (.csv, .pb, .json, .textproto; files are streamed), a
            generator spec ``"gen:jobs=500,load=0.9"`` (drawn with ``seed``), a pandas
            DataFrame, a list of job dicts or a dict of columns (see :func:`colosim.trace`).
        interference: an Interference, "none", "seed-paper", a pair table .csv, a calibrated
            model .pb, a dict {(victim, aggressor): slowdown}, a DataFrame or InterferenceData
            (see :func:`colosim.interference`).
        policy: a registered name, optionally with parameters ("random:check_memory=false"), a
            :class:`Policy` instance written in Python, or a PolicyHandle.
        policy_params: parameters for a policy given by name, e.g. {"check_memory": False}.
        seed: seed of all randomness in the run; same inputs and seed give the same results.
        time_series: record the per-instant series (costs memory on long traces).
        registry: where policy names are looked up (default ``colosim.registry``).
        trace_format: the format of a trace file (``colosim.trace_formats()``), as ``--trace-format``;
            default: its extension.
        vary: how the trace varies with ``seed``, as ``--vary``: "none" (default),
            ``"jitter:seconds=S"`` or ``"bootstrap[:fraction=F]"`` (docs/compare.md).
        allow_empty: a trace without jobs runs (0 jobs) instead of raising, as ``--allow-empty``.
        **options: run options, the same as the CLI's flags and a sweep file's ``options``
            (``colosim.run_options()`` lists them with their defaults):
            {options}

    The simulation runs with the GIL released (Python policies take it back while they run), so
    several runs can proceed in threads at once. A policy instance serves one run at a time.

    Raises:
        InputError: bad input (the file, record and field are in the message and attributes).
        Error: an unknown option or a bad option value.
        PolicyError: a policy broke its contract (e.g. a placement over memory or on a
            nonexistent GPU) or a Python policy raised (then ``__cause__`` is the original
            exception and the message names the policy and the simulated time).
        SimulationError: the run cannot go on (e.g. a pair the interference model cannot answer).

    Policies in colosim.registry (name: description; parameters with defaults):
        {policies}
    """
    option_values = {k: option_text(v) for k, v in options.items() if v is not None}
    _colosim.check_options(option_values)
    the_cluster = _inputs.cluster(cluster, trace if _is_path(trace) else None, trace_format=trace_format)
    the_trace = trace if isinstance(trace, Trace) else (
        os.fspath(trace) if _is_path(trace) else _inputs.trace(trace, allow_empty=allow_empty))
    model = _inputs.interference(interference, composition=options.get("composition"),
                                 unknown_pair_slowdown=options.get("unknown_pair_slowdown"))
    the_policy = _policies.policy(policy, policy_params, registry)
    return Result(_colosim.run(the_cluster, the_trace, model, the_policy, seed, option_values, time_series,
                               trace_format=trace_format, vary=vary, allow_empty=allow_empty,
                               validate_mape_floor_s=_validate_mape_floor_s))


def run_options() -> list[dict[str, Any]]:
    """The run options: dicts with key, flag (the CLI's), help, type, choices, default and
    may_be_unset. One definition serves ``colosim run``/``compare`` flags, sweep files' ``options``
    and the keyword arguments of :func:`run` and :func:`compare`."""
    return _colosim.run_options()


def _options_text() -> str:
    return "\n            ".join(
        f"{o['key']} (default {o['default'] or 'unset'}): {o['help']}" for o in _colosim.run_options())


_RUN_DOC = run.__doc__ or ""


def _refresh_docs() -> None:
    """Puts the options and the registry's policies with their parameters into run()'s docstring."""
    run.__doc__ = _RUN_DOC.replace("{options}", _options_text()).replace(
        "{policies}", _policies.policies_text(_policies.registry).lstrip())


_policies._on_change.append(_refresh_docs)
_refresh_docs()
