"""The HTML report of a ``colosim compare`` run: one self-contained page (inline PNGs).

    /usr/bin/python3 -m colosim.report --runs OUT/runs.csv --jobs-dir OUT/jobs --out report.html
    /usr/bin/python3 -m colosim.report --inflation OUT/curves.csv --out report.html

The second form reports ``colosim inflate`` (the FGD paper's experiment): its summary.csv table
and the curves of unallocated GPUs, allocated GPUs and fragmentation against the arrived
workload (:func:`colosim.plot.inflation`).

Reads what ``colosim compare`` wrote: ``runs.csv`` (one row per run), ``summary.json`` (means
with 95% confidence intervals and the paired comparison, computed by the C++ side; by default
next to runs.csv) and, for the distributions, each run's ``jobs/run-NNNNN.csv``.

The page holds, per cluster and load: the table of means +- 95% CI, the paired comparison with
the baseline, the JCT CDF of each policy (all seeds pooled), mean JCT and queueing delay with
their intervals, and the per-seed change against the baseline; across loads, mean JCT against
load. The JCT CDF and slowdown plots are :mod:`colosim.plot`'s; the plots with confidence
intervals are drawn here. Needs pandas and matplotlib, not the compiled module.
"""
from __future__ import annotations

import argparse
import base64
import html
import importlib
import io
import json
import math
import os
import sys
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Imported as a module (not `from colosim import plot`) so that it loads without the compiled
# module, whose absence the package reports through its attribute hook.
plot = importlib.import_module("colosim.plot")


def table_metrics(summary: dict) -> list[tuple[str, str]]:
    """Columns of the table, as in the terminal: (key, label) of the metrics that summary.json
    lists with ``in_compare_table`` (the core's one metric table, written into the file)."""
    return [(m["key"], m["label"]) for m in summary["metrics"] if m["in_compare_table"]]


# ------------------------------------------------------------------ loading

def load_runs(path: str | os.PathLike) -> pd.DataFrame:
    """runs.csv as a DataFrame (one row per run)."""
    return pd.read_csv(path, dtype={"cluster": str, "policy": str})


def load_jobs(runs: pd.DataFrame, jobs_dir: str | os.PathLike | None) -> pd.DataFrame:
    """Every run's jobs.csv, concatenated, with the run's cluster, load, policy and seed (the
    long form colosim.plot takes: one line per policy).

    Empty when there is no jobs directory (the report then has no distribution plots)."""
    frames = []
    if jobs_dir is not None and Path(jobs_dir).is_dir():
        for run in runs.itertuples(index=False):
            path = Path(jobs_dir) / f"run-{int(run.run):05d}.csv"
            if not path.exists():
                continue
            jobs = pd.read_csv(path, usecols=["id", "app", "submit_s", "queueing_delay_s", "jct_s", "slowdown", "outcome"])
            jobs["run"], jobs["cluster"], jobs["load"] = run.run, run.cluster, run.load
            jobs["policy"], jobs["seed"] = run.policy, run.seed
            frames.append(jobs)
    if not frames:
        return pd.DataFrame(columns=["id", "app", "submit_s", "queueing_delay_s", "jct_s", "slowdown", "outcome",
                                     "run", "cluster", "load", "policy", "seed"])
    return pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------------ plots

def metric_bars(groups: list[dict], keys: list[tuple[str, str]], title: str | None = None):
    """Mean with its 95% interval, one bar per policy, one panel per metric."""
    fig = _new_figure(4.2 * len(keys), 3.6)
    axes = fig.subplots(1, len(keys), squeeze=False)
    policies = [g["policy"] for g in groups]
    for ax, (key, label) in zip(axes[0], keys):
        means = [g["metrics"][key]["mean"] for g in groups]
        err = [[0 if g["metrics"][key]["ci_low"] is None else g["metrics"][key]["mean"] - g["metrics"][key]["ci_low"]
                for g in groups],
               [0 if g["metrics"][key]["ci_high"] is None else g["metrics"][key]["ci_high"] - g["metrics"][key]["mean"]
                for g in groups]]
        ax.bar(range(len(policies)), means, yerr=err, capsize=4, color=[f"C{i}" for i in range(len(policies))])
        ax.set_xticks(range(len(policies)))
        ax.set_xticklabels(policies, rotation=30, ha="right", fontsize=8)
        ax.set_title(label, fontsize=10)
        ax.grid(True, axis="y", alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def paired_dots(paired: list[dict], key: str, label: str, title: str | None = None):
    """Per-seed change against the baseline (policy - baseline), one row of dots per policy."""
    fig = _new_figure(7.0, 1.2 + 0.45 * max(1, len(paired)))
    ax = fig.subplots()
    for i, p in enumerate(paired):
        m = p["metrics"][key]
        base = m["baseline_mean"]
        scale = 100.0 / base if base else 1.0
        xs = [d * scale for d in m["differences"]]
        ax.scatter(xs, [i] * len(xs), color=f"C{i}", alpha=0.7)
        if m["ci_low"] is not None:
            ax.plot([m["ci_low"] * scale, m["ci_high"] * scale], [i, i], color="black", lw=2)
    ax.axvline(0, color="grey", lw=1)
    ax.set_yticks(range(len(paired)))
    ax.set_yticklabels([p["policy"] for p in paired], fontsize=8)
    ax.set_xlabel(f"{label}: change per seed vs {paired[0]['baseline']} (% of its mean); bar = 95% CI")
    ax.grid(True, axis="x", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def metric_vs_load(groups: list[dict], key: str, label: str, title: str | None = None):
    """Mean of a metric against the load factor, one line per policy, with 95% intervals."""
    fig = _new_figure(7.0, 4.0)
    ax = fig.subplots()
    by_policy: dict[str, list[dict]] = {}
    for g in groups:
        by_policy.setdefault(g["policy"], []).append(g)
    for policy, gs in by_policy.items():
        gs = sorted(gs, key=lambda g: g["load"])
        x = [g["load"] for g in gs]
        y = [g["metrics"][key]["mean"] for g in gs]
        lo = [g["metrics"][key]["ci_low"] if g["metrics"][key]["ci_low"] is not None else v for g, v in zip(gs, y)]
        hi = [g["metrics"][key]["ci_high"] if g["metrics"][key]["ci_high"] is not None else v for g, v in zip(gs, y)]
        ax.errorbar(x, y, yerr=[[v - l for v, l in zip(y, lo)], [h - v for v, h in zip(y, hi)]], marker="o",
                    capsize=3, label=policy)
    ax.set_xlabel("load factor (arrival rate x)")
    ax.set_ylabel(label)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def _new_figure(width: float, height: float) -> Figure:
    """A headless figure (no pyplot state), like those of colosim.plot."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _img(fig, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{_png(fig)}">'


# ------------------------------------------------------------------ tables

def compact(x: float) -> str:
    """About three significant digits, k and M for large values (as the terminal table)."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return str(x)
    a = abs(x)
    scale, suffix = (1e6, "M") if a >= 1e6 else (1e3, "k") if a >= 1e4 else (1.0, "")
    v = x / scale
    b = abs(v)
    d = 0 if b >= 100 else 1 if b >= 10 else 2 if b >= 1 else 3
    return f"{v:.{d}f}{suffix}"


def _mean_ci(m: dict) -> str:
    if m["ci_low"] is None:
        return compact(m["mean"])
    return f"{compact(m['mean'])} &plusmn; {compact(m['ci_high'] - m['mean'])}"


def _change(m: dict) -> str:
    mark = " *" if m["excludes_zero"] else ""
    if m["relative_change"] is not None:
        text = f"{100 * m['relative_change']:+.1f}%{mark}"
    elif m["mean_difference"] == 0:
        text = f"0{mark}"
    else:
        d = m["mean_difference"]
        text = f"abs {'+' if d > 0 else ''}{compact(d)}{mark}"
    cls = ' class="sig"' if m["excludes_zero"] else ""
    return f"<td{cls}>{html.escape(text)}</td>"


def _table(groups: list[dict], metrics: list[tuple[str, str]]) -> str:
    head = "".join(f"<th>{html.escape(t)}</th>" for _, t in metrics)
    rows = []
    for g in groups:
        cells = "".join(f"<td>{_mean_ci(g['metrics'][k])}</td>" for k, _ in metrics)
        rows.append(f"<tr><th>{html.escape(g['policy'])}</th>{cells}</tr>")
    return f'<table class="results"><tr><th>policy</th>{head}</tr>{"".join(rows)}</table>'


def _paired_table(paired: list[dict], metrics: list[tuple[str, str]]) -> str:
    head = "".join(f"<th>{html.escape(t)}</th>" for _, t in metrics)
    rows = []
    for p in paired:
        cells = "".join(_change(p["metrics"][k]) for k, _ in metrics)
        rows.append(f"<tr><th>{html.escape(p['policy'])}</th>{cells}</tr>")
    return f'<table class="paired"><tr><th>policy</th>{head}</tr>{"".join(rows)}</table>'


# ------------------------------------------------------------------ the page

CSS = """
body { font-family: sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; } h3 { font-size: 15px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
td { white-space: nowrap; }
th { background: #f2f2f2; } tr > th:first-child { text-align: left; }
td.sig { font-weight: bold; }
.inputs td, .inputs th { text-align: left; }
img { max-width: 100%; margin: 4px 8px 8px 0; }
p.note { color: #555; font-size: 13px; }
"""


def build_report(runs: pd.DataFrame, summary: dict, jobs: pd.DataFrame, title: str = "colosim compare") -> str:
    """The report as one HTML string."""
    inputs = summary["inputs"]
    out = [f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>",
           f"<style>{CSS}</style></head><body>", f"<h1>{html.escape(title)}</h1>"]
    rows = [("trace", inputs["trace"]), ("vary", inputs.get("vary", "none")), ("interference", f"{inputs['interference']}: {inputs['interference_model']}"),
            ("clusters", ", ".join(f"{c['label']} ({c['gpus']} GPUs)" for c in inputs["clusters"])),
            ("policies", ", ".join(inputs["policies"])), ("seeds", ", ".join(str(s) for s in inputs["seeds"])),
            ("load factors", ", ".join(str(x) for x in inputs["loads"])),
            ("options", ", ".join(f"{k} {v}" for k, v in inputs["options"].items() if v != "")),
            ("runs", str(len(runs)))]
    out.append('<table class="inputs">' + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                                                   for k, v in rows) + "</table>")
    out.append('<p class="note">Each cell: mean over seeds &plusmn; half-width of its 95% confidence interval '
               "(Student t). Paired: change of the mean against the baseline on the same seeds; "
               "<b>bold *</b> = the 95% interval of the per-seed difference excludes zero.</p>")
    if summary.get("variation_note"):  # every seed ran on the same jobs: say what the intervals mean
        out.append(f'<p class="note"><b>{html.escape(summary["variation_note"])}</b></p>')

    blocks: dict[tuple[str, float], list[dict]] = {}
    for g in summary["groups"]:
        blocks.setdefault((g["cluster"], g["load"]), []).append(g)
    paired_blocks: dict[tuple[str, float], list[dict]] = {}
    for p in summary["paired"]:
        paired_blocks.setdefault((p["cluster"], p["load"]), []).append(p)

    for (cluster, load), groups in blocks.items():
        name = f"cluster {cluster}, load x{load:g}"
        out.append(f"<h2>{html.escape(name)}</h2>")
        out.append(_table(groups, table_metrics(summary)))
        paired = paired_blocks.get((cluster, load), [])
        if paired:
            out.append(f"<h3>Paired with {html.escape(paired[0]['baseline'])}</h3>")
            out.append(_paired_table(paired, table_metrics(summary)))
        block_jobs = jobs[(jobs["cluster"] == cluster) & (jobs["load"] == load)] if len(jobs) else jobs
        if len(block_jobs):
            out.append(_img(plot.jct_cdf(block_jobs, title=f"JCT CDF per policy, {name}, all seeds"), f"JCT CDF, {name}"))
        out.append(_img(metric_bars(groups, [("jct_mean_s", "JCT mean (s)"),
                                             ("queueing_delay_mean_s", "queueing delay (s)"),
                                             ("gpu_time_utilisation", "GPU utilisation")],
                                    title=f"{name}: mean and 95% CI"), f"means, {name}"))
        if paired:
            out.append(_img(paired_dots(paired, "jct_mean_s", "JCT mean", title=name), f"paired JCT, {name}"))
        if len(block_jobs):
            for policy, jobs_of in block_jobs.groupby("policy", sort=False):
                out.append(_img(plot.slowdown_by_app(jobs_of, title=f"slowdown per application: {policy}, {name}"),
                                f"slowdown per application, {policy}"))

    if len(inputs["loads"]) > 1:
        out.append("<h2>Across loads</h2>")
        for cluster in dict.fromkeys(g["cluster"] for g in summary["groups"]):
            groups = [g for g in summary["groups"] if g["cluster"] == cluster]
            out.append(_img(metric_vs_load(groups, "jct_mean_s", "JCT mean (s)", title=f"cluster {cluster}"),
                            f"JCT against load, {cluster}"))
    out.append("</body></html>\n")
    return "\n".join(out)


def build_inflation_report(curves: pd.DataFrame, summary: pd.DataFrame, title: str = "colosim inflate") -> str:
    """The report of an inflation experiment (curves.csv and summary.csv of ``colosim inflate``)
    as one HTML string."""
    out = [f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>",
           f"<style>{CSS}</style></head><body>", f"<h1>{html.escape(title)}</h1>"]
    seeds = sorted(curves["seed"].unique())
    at = int(summary["at_pct"].iloc[0]) if len(summary) else 100
    out.append(f'<p class="note">Jobs drawn from the trace arrive one at a time and never leave; '
               f"{len(seeds)} seed(s) ({', '.join(str(s) for s in seeds)}). Unallocated GPUs at {at}% arrived "
               "workload: median over seeds, with the 25th-75th percentiles and the range.</p>")
    head = ["policy", f"unallocated % at {at}%", "p25-p75", "min-max", "fragmentation % (median)", "runs",
            "jobs/CPU s"]
    rows = "".join(
        f"<tr><th>{html.escape(str(r.policy))}</th><td>{r.unallocated_median:.2f}</td>"
        f"<td>{r.unallocated_p25:.2f}-{r.unallocated_p75:.2f}</td><td>{r.unallocated_min:.2f}-{r.unallocated_max:.2f}</td>"
        f"<td>{r.fragmentation_median:.2f}</td><td>{r.runs}</td><td>{compact(r.jobs_per_cpu_s)}</td></tr>"
        for r in summary.itertuples())
    out.append('<table class="results"><tr>' + "".join(f"<th>{html.escape(h)}</th>" for h in head) + f"</tr>{rows}</table>")
    for metric, alt in [("unallocated_pct", "unallocated GPUs"), ("allocated_pct", "allocated GPUs"),
                        ("fragmentation_pct", "fragmentation ratio")]:
        out.append(_img(plot.inflation(curves, metric, title=f"{alt} against the arrived workload"), alt))
    out.append("</body></html>\n")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m colosim.report", description=__doc__.splitlines()[0])
    inputs = parser.add_mutually_exclusive_group(required=True)
    inputs.add_argument("--runs", help="runs.csv written by colosim compare")
    inputs.add_argument("--inflation", help="curves.csv written by colosim inflate")
    parser.add_argument("--summary", help="summary.json (summary.csv for --inflation; default: next to the input)")
    parser.add_argument("--jobs-dir", help="directory of run-NNNNN.csv job files (colosim compare --save-jobs)")
    parser.add_argument("--out", required=True, help="HTML file to write")
    parser.add_argument("--title", help="page title (default: colosim compare, or colosim inflate)")
    args = parser.parse_args(argv)
    if args.inflation:
        summary_path = Path(args.summary) if args.summary else Path(args.inflation).with_name("summary.csv")
        try:
            curves, table = pd.read_csv(args.inflation), pd.read_csv(summary_path)
        except (OSError, ValueError) as e:
            print(f"colosim.report: {e}", file=sys.stderr)
            return 1
        Path(args.out).write_text(build_inflation_report(curves, table, args.title or "colosim inflate"))
        return 0
    summary_path = Path(args.summary) if args.summary else Path(args.runs).with_name("summary.json")
    try:
        runs = load_runs(args.runs)
        summary = json.loads(summary_path.read_text())
    except (OSError, ValueError) as e:
        print(f"colosim.report: {e}", file=sys.stderr)
        return 1
    jobs = load_jobs(runs, args.jobs_dir)
    Path(args.out).write_text(build_report(runs, summary, jobs, args.title or "colosim compare"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
