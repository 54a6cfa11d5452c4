"""colosim: simulate GPU clusters whose jobs share GPUs and slow each other down.

The compiled core (``colosim._colosim``, pybind11) does the simulating; this facade takes the
inputs in the forms a notebook has at hand (file paths, dicts, pandas DataFrames, Python policy
classes) and returns results as pandas DataFrames, NumPy arrays and dicts.

Quick start::

    import colosim
    cluster = colosim.Cluster.uniform(nodes=4, gpus_per_node=8, gpu_type="V100", memory_mib=16384)
    trace = colosim.Trace.generate(jobs=500, seed=1, load=0.8, total_gpus=cluster.total_gpus)
    result = colosim.run(cluster, trace, interference="none", policy="binpack")
    result.jobs          # pandas DataFrame, the columns of the CLI's jobs.csv
    result.summary       # dict, the CLI's summary.json
    result.time_series   # dict of NumPy arrays: time_s, gpu_utilisation, queued, running, ...

Policies written in Python subclass :class:`colosim.Policy`; see ``help(colosim.Policy)`` and
docs/python.md. Errors are :class:`colosim.Error` (InputError, PolicyError, SimulationError).
"""
from __future__ import annotations

__version__ = "0.1.0"

try:
    from ._colosim import (
        AppSpeed as AppSpeed,
        Cluster as Cluster,
        ClusterView as ClusterView,
        Error as Error,
        GpuType as GpuType,
        InputError as InputError,
        Interference as Interference,
        InterferenceData as InterferenceData,
        Job as Job,
        Node as Node,
        PendingJob as PendingJob,
        Policy as Policy,
        PolicyError as PolicyError,
        PolicyHandle as PolicyHandle,
        PolicyRegistry as PolicyRegistry,
        Rng as Rng,
        SchedulingPass as SchedulingPass,
        SimulationError as SimulationError,
        Trace as Trace,
        gavel_app_speeds as gavel_app_speeds,
        importers as importers,
        trace_formats as trace_formats,
    )
    from ._inputs import (
        calibrate as calibrate,
        cluster as cluster,
        import_trace as import_trace,
        interference as interference,
        load_interference_data as load_interference_data,
        measured_matrix as measured_matrix,
        trace as trace,
    )
    from ._policies import (
        policies as policies,
        policy as policy,
        register_policy as register_policy,
        registry as registry,
    )
    from ._results import (
        JOBS_COLUMNS as JOBS_COLUMNS,
        SUMMARY_METRICS as SUMMARY_METRICS,
        TIME_SERIES_KEYS as TIME_SERIES_KEYS,
        Result as Result,
        read_jobs_csv as read_jobs_csv,
        summaries as summaries,
    )
    from ._colosim import CompareSpec as CompareSpec
    from ._compare import Comparison as Comparison, compare as compare, sweep as sweep
    from ._run import run as run, run_options as run_options
    from ._validate import Validation as Validation, validate as validate
    from ._inflation import Inflation as Inflation, inflate as inflate
except ModuleNotFoundError as _error:
    # Without the compiled module (a plain checkout, a machine that only renders reports),
    # colosim.plot still imports; everything else says how to get the module.
    if _error.name != "colosim._colosim":
        raise
    _missing = _error

    def __getattr__(name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise ImportError(
            f"colosim.{name} needs the compiled module colosim._colosim, which is not built or not on "
            f"PYTHONPATH (build with CMake and use PYTHONPATH=build/python; see docs/python.md): {_missing}")
