"""inflate(): the FGD paper's experiment, as ``colosim inflate`` runs it (docs/fragmentation.md)."""
from __future__ import annotations

import io
import os
from typing import Any, Mapping, Sequence

import pandas as pd

from ._colosim import Cluster, Trace
from . import _colosim, _inputs
from ._common import PathLike, _is_path, option_text

PAPER_POLICIES = ("fgd", "best-fit", "dot-product", "gpu-packing", "gpu-clustering", "random:pick=node")


class Inflation:
    """The curves of an inflation experiment.

    ``curves``: one row per run and arrived percent, with the columns of ``colosim inflate``'s
    curves.csv (policy, seed, arrived_pct, allocated_pct, unallocated_pct, fragmentation_pct).
    """

    def __init__(self, result: Any):
        self._result = result
        self.curves = pd.read_csv(io.StringIO(result.curves_csv()))
        self.wall_s = result.wall_s

    def summary(self, at: int = 100) -> pd.DataFrame:
        """Per policy, over seeds: the unallocated GPU share (%) at ``at`` % arrived workload
        (median, p25, p75, min, max), the median fragmentation ratio there, runs, jobs and CPU
        seconds; the columns of ``colosim inflate``'s summary.csv."""
        return pd.read_csv(io.StringIO(self._result.summary_csv(at)))


def inflate(trace: Trace | PathLike | Any, cluster: Cluster | PathLike | Mapping[str, Any] | None = None, *,
            policies: Sequence[str] = PAPER_POLICIES, seeds: str = "42-51", max_ratio: float = 1.3, threads: int = 0,
            **options: Any) -> Inflation:
    """Runs the FGD paper's experiment: each seed's jobs drawn from ``trace`` arrive one at a time
    and never leave, until they ask for ``max_ratio`` times the cluster's GPUs; every policy
    places them. Returns the allocation and fragmentation curves (:class:`Inflation`).

    Args:
        trace: a Trace, a trace file (e.g. openb converted with its node list) or job rows.
        cluster: as for :func:`colosim.run`; None: the cluster in the trace file's header.
        policies: policy names (default: the paper's six).
        seeds: "42-51" (the paper's), "1,2,5" or "1-3,7".
        max_ratio: arrivals stop at this multiple of the cluster's GPUs.
        threads: runs at once (0: every core).
        **options: run options as for :func:`colosim.run` (e.g. node_resources="ignore").
    """
    option_values = {k: option_text(v) for k, v in options.items() if v is not None}
    _colosim.check_options(option_values)
    the_cluster = _inputs.cluster(cluster, trace if _is_path(trace) else None)
    the_trace = os.fspath(trace) if _is_path(trace) else trace if isinstance(trace, Trace) else _inputs.trace(trace)
    return Inflation(_colosim.inflate(the_cluster, the_trace, list(policies), seeds, max_ratio,
                                      threads or os.cpu_count() or 1, option_values))
