"""Plots of colosim results (matplotlib, headless Agg canvas).

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot, so it works in
scripts, threads and notebooks alike (in a notebook, a Figure as the last expression of a cell
is displayed; ``fig.savefig("x.png")`` writes it). This module needs only numpy, pandas and
matplotlib, not the compiled simulator: its inputs are plain DataFrames, dicts and arrays (a
:class:`colosim.Result` is accepted wherever its ``.jobs`` or ``.time_series`` would be).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["jct_cdf", "gpu_utilisation", "queue_length", "fragmentation", "slowdown_by_app", "interference_heatmap",
           "summary_bars", "inflation", "validation"]


def _figure(width: float = 7.0, height: float = 4.0, ncols: int = 1, ax: Any = None) -> tuple[Figure, Any]:
    """A new headless figure, or the figure of `ax` when the caller gives axes to draw into."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols)
    return fig, axes


def _jobs(x: Any):
    return x.jobs if hasattr(x, "jobs") and hasattr(x, "summary") else x


def _series(x: Any) -> Mapping[str, Any]:
    return x.time_series if hasattr(x, "time_series") and hasattr(x, "summary") else x


def _named(runs: Any, pick) -> dict[str, Any]:
    """{label: data} from a dict, a list of Results (labelled by policy), a long DataFrame with a
    `policy` column (one label per policy, in order of appearance) or a single item."""
    if hasattr(runs, "groupby") and hasattr(runs, "columns") and "policy" in runs.columns:
        return {str(k): g for k, g in runs.groupby("policy", sort=False)}
    if isinstance(runs, Mapping) and not ("time_s" in runs or "jct_s" in runs):
        return {str(k): pick(v) for k, v in runs.items()}
    if isinstance(runs, (list, tuple)):
        return {getattr(r, "policy", f"run {i}"): pick(r) for i, r in enumerate(runs)}
    return {getattr(runs, "policy", "run"): pick(runs)}


def jct_cdf(runs: Any, *, log_x: bool = True, title: str | None = None, ax: Any = None) -> Figure:
    """Empirical CDF of the job completion time of finished jobs, one line per run.

    ``runs``: {label: jobs DataFrame or Result}, a list of Results, one of them, or one
    DataFrame of several runs with a ``policy`` column. Jobs are the rows with outcome
    "finished" (column jct_s, seconds). ``ax``: draw into these axes instead of a new figure.
    """
    title = title or "JCT CDF per policy"
    fig, ax = _figure(ax=ax)
    for label, jobs in _named(runs, _jobs).items():
        jct = np.asarray(jobs["jct_s"], dtype=float)
        if "outcome" in jobs:
            jct = jct[np.asarray(jobs["outcome"]) == "finished"]
        jct = np.sort(jct[np.isfinite(jct)])
        if jct.size == 0:
            continue
        y = np.arange(1, jct.size + 1) / jct.size
        ax.step(jct, y, where="post", label=f"{label} (n={jct.size})")
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel("JCT (s)")
    ax.set_ylabel("fraction of jobs")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return fig


def _time_plot(runs: Any, key: str, ylabel: str, title: str, ax: Any) -> Figure:
    fig, ax = _figure(ax=ax)
    for label, series in _named(runs, _series).items():
        t = np.asarray(series["time_s"], dtype=float)
        y = np.asarray(series[key], dtype=float)
        if t.size:
            ax.step(t, y, where="post", label=label)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return fig


def gpu_utilisation(runs: Any, *, title: str | None = None, ax: Any = None) -> Figure:
    """Fraction of GPUs with at least one job, over simulated time (a step function).

    ``runs``: {label: time-series dict or Result}, a list of Results, or one of them; a series
    needs time_s and gpu_utilisation (as in Result.time_series).
    """
    fig = _time_plot(runs, "gpu_utilisation", "busy GPUs (fraction)", title or "GPU utilisation over time", ax)
    (ax or fig.axes[0]).set_ylim(0, 1.05)
    return fig


def queue_length(runs: Any, *, title: str | None = None, ax: Any = None) -> Figure:
    """Pending jobs over simulated time; series need time_s and queued."""
    return _time_plot(runs, "queued", "queued jobs", title or "Queue length over time", ax)


def fragmentation(runs: Any, *, title: str | None = None, ax: Any = None) -> Figure:
    """GPU fragmentation over the idle GPU share (the FGD paper's metric) over simulated time;
    series need time_s and fragmentation_ratio, measured by runs with fragmentation="trace"."""
    return _time_plot(runs, "fragmentation_ratio", "fragmentation / idle GPUs", title or "GPU fragmentation over time", ax)


def slowdown_by_app(jobs: Any, *, max_apps: int = 20, title: str | None = None, ax: Any = None) -> Figure:
    """Distribution (box plot) of the slowdown of finished jobs per application, the
    ``max_apps`` applications with the most jobs, by median slowdown."""
    df = _jobs(jobs)
    apps = np.asarray(df["app"])
    slow = np.asarray(df["slowdown"], dtype=float)
    keep = np.isfinite(slow)
    apps, slow = apps[keep], slow[keep]
    names, counts = np.unique(apps, return_counts=True)
    top = names[np.argsort(-counts, kind="stable")][:max_apps]
    groups = [(name, slow[apps == name]) for name in top]
    groups.sort(key=lambda g: float(np.median(g[1])))
    fig, ax = _figure(width=max(7.0, 0.45 * len(groups) + 2), ax=ax)
    if groups:
        ax.boxplot([g[1] for g in groups], showfliers=False)
        ax.set_xticks(range(1, len(groups) + 1), [g[0] for g in groups], rotation=60, ha="right", fontsize="small")
    ax.axhline(1.0, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("application")
    ax.set_ylabel("slowdown")
    ax.set_title(title or "Slowdown per application")
    ax.grid(True, axis="y", alpha=0.3)
    return fig


def interference_heatmap(measured: Any, predicted: Any = None, *, labels: Sequence[str] | None = None,
                         title: str = "Interference: slowdown of victim beside aggressor") -> Figure:
    """Heat map of pair slowdowns [victim (rows), aggressor (columns)]: the measured matrix
    and, when given, the predicted one beside it on the same colour scale.

    Matrices are DataFrames (index victims, columns aggressors; e.g. colosim.measured_matrix)
    or 2-D arrays with ``labels``. NaN cells (not measured, infeasible) are left blank.
    """
    def as_matrix(m: Any) -> tuple[np.ndarray, list[str], list[str]]:
        if hasattr(m, "to_numpy") and hasattr(m, "index"):
            return m.to_numpy(dtype=float), [str(i) for i in m.index], [str(c) for c in m.columns]
        arr = np.asarray(m, dtype=float)
        names = list(labels) if labels is not None else [str(i) for i in range(arr.shape[0])]
        return arr, names, names

    panels = [("measured", *as_matrix(measured))]
    if predicted is not None:
        panels.append(("predicted", *as_matrix(predicted)))
    values = np.concatenate([p[1][np.isfinite(p[1])] for p in panels]) if panels else np.array([])
    vmin, vmax = (float(values.min()), float(values.max())) if values.size else (1.0, 2.0)
    n = max(p[1].shape[0] for p in panels)
    size = min(max(4.0, 0.28 * n + 2.5), 14.0)
    fig, axes = _figure(width=size * len(panels) + 1.0, height=size, ncols=len(panels))
    axes = np.atleast_1d(axes)
    image = None
    for ax, (name, arr, rows, cols) in zip(axes, panels):
        image = ax.imshow(np.ma.masked_invalid(arr), vmin=vmin, vmax=vmax, cmap="viridis", aspect="auto")
        ax.set_title(name)
        ax.set_xlabel("aggressor")
        ax.set_ylabel("victim")
        fs = "x-small" if len(cols) > 12 else "small"
        ax.set_xticks(range(len(cols)), cols, rotation=90, fontsize=fs)
        ax.set_yticks(range(len(rows)), rows, fontsize=fs)
    if image is not None:
        fig.colorbar(image, ax=list(axes), label="slowdown")
    fig.suptitle(title)
    return fig


def summary_bars(summaries: Any, metric: str = "jct_mean_s", *, title: str | None = None, ax: Any = None) -> Figure:
    """One bar per run of a summary metric. ``summaries``: a DataFrame as colosim.compare()
    returns (one row per run), or {label: summary dict or Result}."""
    if hasattr(summaries, "index") and hasattr(summaries, "columns"):
        labels = [str(i) for i in summaries.index]
        values = np.asarray(summaries[metric], dtype=float)
    else:
        items = {k: (v.summary if hasattr(v, "summary") else v) for k, v in summaries.items()}
        labels = list(items)
        values = np.asarray([items[k][metric] for k in labels], dtype=float)
    fig, ax = _figure(width=max(5.0, 0.8 * len(labels) + 2), ax=ax)
    ax.bar(range(len(labels)), values)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_xlabel("policy")
    ax.set_ylabel(metric)
    ax.set_title(title or metric)
    ax.grid(True, axis="y", alpha=0.3)
    return fig


def inflation(curves: Any, metric: str = "unallocated_pct", *, title: str | None = None, ax: Any = None) -> Figure:
    """The FGD paper's curve: ``metric`` (unallocated_pct, allocated_pct or fragmentation_pct)
    against the arrived workload (% of the cluster's GPUs), one line per policy: the median over
    seeds, with the band from the 25th to the 75th percentile. ``curves``: the ``curves``
    DataFrame of :func:`colosim.inflate` (or curves.csv of ``colosim inflate``), or the object
    it returns."""
    curves = curves.curves if hasattr(curves, "curves") and hasattr(curves, "summary") else curves
    fig, ax = _figure(ax=ax)
    for policy, rows in curves.groupby("policy", sort=False):
        by_arrived = rows.groupby("arrived_pct")[metric]
        median = by_arrived.median()
        ax.plot(median.index, median.values, label=str(policy))
        ax.fill_between(median.index, by_arrived.quantile(0.25).values, by_arrived.quantile(0.75).values, alpha=0.2)
    ax.set_xlabel("arrived workload (% of the cluster's GPUs)")
    ax.set_ylabel({"unallocated_pct": "unallocated GPUs (%)", "allocated_pct": "allocated GPUs (%)",
                   "fragmentation_pct": "fragmentation / idle GPUs (%)"}.get(metric, metric))
    ax.set_title(title or "GPU allocation as the workload inflates")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


def validation(v: Any, *, title: str | None = None) -> Figure:
    """Simulation against a cluster's log (:func:`colosim.validate`, or the DataFrame of a
    validate.csv): the CDFs of recorded and simulated queueing delay, and simulated against
    recorded JCT per job (on the diagonal: the simulation got it right)."""
    jobs = v.jobs if hasattr(v, "jobs") and hasattr(v, "summary") else v
    fig, (left, right) = _figure(11.0, 4.2, ncols=2)
    for column, label in (("recorded_queueing_delay_s", "recorded"), ("simulated_queueing_delay_s", "simulated")):
        values = np.sort(jobs[column].dropna().to_numpy(dtype=float))
        if len(values):
            left.step(values, np.arange(1, len(values) + 1) / len(values), where="post", label=label)
    left.set_xlabel("queueing delay (s)")
    left.set_ylabel("fraction of jobs")
    left.set_title("queueing delay")
    left.legend()
    both = jobs[["recorded_jct_s", "simulated_jct_s"]].dropna()
    right.scatter(both["recorded_jct_s"], both["simulated_jct_s"], s=12, alpha=0.7)
    if len(both):
        top = float(max(both.max()))
        right.plot([0, top], [0, top], color="grey", linewidth=1, linestyle="--")
    right.set_xlabel("recorded JCT (s)")
    right.set_ylabel("simulated JCT (s)")
    right.set_title("JCT per job")
    if title:
        fig.suptitle(title)
    return fig
