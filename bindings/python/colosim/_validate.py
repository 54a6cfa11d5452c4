"""validate(): a run set against the run a cluster's log recorded, as ``colosim validate`` does."""
from __future__ import annotations

import io
import json
from typing import Any

from . import _run
from ._common import PathLike
from ._results import Result


class Validation:
    """The outcome of :func:`validate`.

    Attributes:
        jobs: pandas DataFrame, one row per job in trace order, the columns of the CLI's
            validate.csv: recorded and simulated queueing delay, start and JCT (seconds; NaN where
            the log or the run has none), recorded and simulated nodes ('|'-separated) and whether
            they are the same set.
        summary: dict, the CLI's validate.json: per quantity (queueing_delay, start, jct) n,
            mae_s, bias_s, p50_abs_error_s, p90_abs_error_s, mape_n, mape_percent, spearman,
            ks_distance; placement compared / same_nodes / same_nodes_fraction; and the run's
            settings.
        result: the :class:`Result` of the run itself.
    """

    def __init__(self, result: Result, meta: dict[str, str]):
        import pandas as pd

        self.result = result
        raw = result._raw
        self.jobs = pd.read_csv(io.StringIO(raw.validation_csv()), dtype={"id": str, "recorded_nodes": str,
                                                                            "simulated_nodes": str})
        self.summary: dict[str, Any] = json.loads(raw.validation_json(meta))

    def errors(self):
        """The per-quantity statistics of ``summary`` as a DataFrame, one row per quantity."""
        import pandas as pd

        rows = {q: self.summary[q] for q in ("queueing_delay", "start", "jct")}
        return pd.DataFrame.from_dict(rows, orient="index")


def validate(trace: PathLike | Any, cluster: Any = None, policy: Any = "first-fit", interference: Any = "none", *,
             seed: int = 1, mape_floor_s: float = 60.0, trace_format: str = "", **options: Any) -> Validation:
    """Replays a cluster's log under ``policy`` and compares it with what the log recorded, like
    ``colosim validate``.

    Args:
        trace: a trace whose jobs carry recorded runs: a file imported with
            ``colosim convert --from kubernetes`` or ``slurm-sacct`` (or
            ``alibaba-gpu-v2023-openb --opt recorded=true``), or a Trace, DataFrame or list of
            job dicts with recorded_start_s / recorded_end_s / recorded_nodes / recorded_state.
        cluster, policy, interference, seed, trace_format, **options: as :func:`colosim.run`
            (cluster None: the cluster in the trace file's header).
        mape_floor_s: MAPE counts only jobs whose recorded value is at least this many seconds.

    Raises:
        Error: no job has a recorded run, or as :func:`colosim.run`.
    """
    result = _run.run(cluster, trace, interference, policy, seed=seed, time_series=False, trace_format=trace_format,
                      _validate_mape_floor_s=float(mape_floor_s), **options)
    meta = {"policy": result.policy, "seed": str(seed)}
    return Validation(result, meta)
