"""Issue 9: one definition of each option and metric. The same configuration gives the same
numbers through `colosim run`, `colosim compare` and colosim.run(), and every surface lists the
same options, defaults and metrics as the core's tables."""
from __future__ import annotations

import csv
import json
import subprocess

import pytest

import colosim

# A configuration that moves every option away from its default where that changes the result:
# a queue long enough that backfill_depth matters, FIFO, over-commitment with OOM retries.
TRACE = "gen:jobs=300,load=1.6,workload=seed-paper"
CLUSTER = "uniform:nodes=2,gpus_per_node=2,memory_mib=12288"
OPTIONS = {"discipline": "backfill", "backfill_depth": "3", "memory": "overcommit", "max_oom_retries": "1",
           "oom_delay_s": "5", "composition": "additive", "allow_multi_node": "false", "gpu_sharing": "stack"}


def _flags(options: dict[str, str]) -> list[str]:
    out = []
    for key, value in options.items():
        out += ["--" + key.replace("_", "-"), value]
    return out


def test_run_compare_and_python_agree(cli, tmp_path):
    seed, policy = 7, "random:check_memory=false"
    subprocess.run([str(cli), "run", "--cluster", CLUSTER, "--trace", TRACE, "--interference", "seed-paper",
                    "--policy", policy, "--seed", str(seed), "--out", str(tmp_path / "run"), *_flags(OPTIONS)],
                   check=True, capture_output=True)
    from_run = json.loads((tmp_path / "run" / "summary.json").read_text())["summary"]

    subprocess.run([str(cli), "compare", "--cluster", CLUSTER, "--trace", TRACE, "--interference", "seed-paper",
                    "--policy", policy, "--seeds", str(seed), "--out", str(tmp_path / "cmp"), "-q", *_flags(OPTIONS)],
                   check=True, capture_output=True)
    with open(tmp_path / "cmp" / "runs.csv", newline="") as f:
        (row,) = list(csv.DictReader(f))

    result = colosim.run(CLUSTER, TRACE, "seed-paper", policy, seed=seed, **OPTIONS)

    assert from_run["jobs"] == 300
    assert from_run["oom_events"] > 0  # overcommit is in force, so the options reached the core
    for key in colosim.SUMMARY_METRICS:
        assert result.summary[key] == from_run[key], key
        assert float(row[key]) == pytest.approx(from_run[key], rel=0, abs=0), key


def test_default_backfill_depth_is_the_same_everywhere(cli, tmp_path):
    """The drift that issue 9 found: compare used backfill_depth 0, run and Python 1000."""
    default = next(o["default"] for o in colosim.run_options() if o["key"] == "backfill_depth")
    run_help = subprocess.run([str(cli), "run", "--help"], check=True, capture_output=True, text=True).stdout
    compare_help = subprocess.run([str(cli), "compare", "--help"], check=True, capture_output=True, text=True).stdout
    for option in colosim.run_options():
        for text in (run_help, compare_help):
            assert option["flag"] in text, option["key"]
            if option["default"]:
                assert f"[default: {option['default']}]" in text, option["key"]
    assert default == "1000"
    subprocess.run([str(cli), "compare", "--cluster", CLUSTER, "--trace", "gen:jobs=50", "--policy", "binpack",
                    "--out", str(tmp_path), "-q"], check=True, capture_output=True)
    options = json.loads((tmp_path / "summary.json").read_text())["inputs"]["options"]
    assert options == {o["key"]: o["default"] for o in colosim.run_options()}


def test_unknown_or_bad_options_are_errors(cli):
    with pytest.raises(colosim.Error, match="unknown option 'backfill_dept'"):
        colosim.run(CLUSTER, "gen:jobs=5", policy="binpack", backfill_dept=3)
    with pytest.raises(colosim.Error, match="backfill_depth"):
        colosim.run(CLUSTER, "gen:jobs=5", policy="binpack", backfill_depth=-1)
    bad = subprocess.run([str(cli), "run", "--cluster", CLUSTER, "--trace", "gen:jobs=5", "--policy", "binpack",
                          "--memory", "sometimes"], capture_output=True, text=True)
    assert bad.returncode != 0 and "unknown memory mode 'sometimes'" in bad.stderr


def test_metric_and_column_tables_drive_every_output(cli, tmp_path):
    result = colosim.run(CLUSTER, "gen:jobs=40", policy="binpack")
    assert tuple(result.summary) == colosim.SUMMARY_METRICS
    for m in colosim._colosim.summary_metrics():
        assert isinstance(result.summary[m["key"]], int if m["type"] == "int" else float), m["key"]
    assert tuple(result.jobs.columns) == colosim.JOBS_COLUMNS
    subprocess.run([str(cli), "compare", "--cluster", CLUSTER, "--trace", "gen:jobs=40", "--policy", "binpack",
                    "--out", str(tmp_path), "-q"], check=True, capture_output=True)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [m["key"] for m in summary["metrics"]] == list(colosim.SUMMARY_METRICS)
    header = (tmp_path / "runs.csv").read_text().splitlines()[0].split(",")
    assert [h for h in header if h in colosim.SUMMARY_METRICS] == list(colosim.SUMMARY_METRICS)
    frame = colosim.summaries({"a": result, "b": result})
    assert frame["jobs"].dtype == "int64" and frame["jct_mean_s"].dtype == "float64"


def test_summaries_never_drop_a_run_with_a_repeated_name():
    a = colosim.run(CLUSTER, "gen:jobs=20", policy="binpack", seed=1)
    b = colosim.run(CLUSTER, "gen:jobs=20", policy="binpack", seed=2)
    with pytest.raises(colosim.Error, match="several results are named"):
        colosim.compare([a, b])
    assert len(colosim.compare({"s1": a, "s2": b})) == 2


def test_issue9_trace_format_vary_and_allow_empty_mean_the_same_in_run_compare_and_python(cli, tmp_path):
    # A CSV trace under an extension that names no format: only trace_format makes it readable.
    trace = tmp_path / "jobs.trace"
    colosim.Trace.generate(jobs=80, seed=4, load=1.3, total_gpus=4).save(str(trace), format="csv")
    inputs = ["--trace", str(trace), "--trace-format", "csv", "--vary", "jitter:seconds=120"]
    subprocess.run([str(cli), "run", "--cluster", CLUSTER, *inputs, "--policy", "binpack", "--seed", "3",
                    "--out", str(tmp_path / "run")], check=True, capture_output=True)
    from_run = json.loads((tmp_path / "run" / "summary.json").read_text())["summary"]
    subprocess.run([str(cli), "compare", "--cluster", CLUSTER, *inputs, "--policy", "binpack", "--seeds", "3",
                    "--out", str(tmp_path / "cmp"), "-q"], check=True, capture_output=True)
    with open(tmp_path / "cmp" / "runs.csv", newline="") as f:
        (row,) = list(csv.DictReader(f))
    result = colosim.run(CLUSTER, trace, policy="binpack", seed=3, trace_format="csv", vary="jitter:seconds=120")
    unvaried = colosim.run(CLUSTER, trace, policy="binpack", seed=3, trace_format="csv")
    assert from_run["jobs"] == 80
    assert result.summary != unvaried.summary  # the jitter reached the run
    for key in colosim.SUMMARY_METRICS:
        assert result.summary[key] == from_run[key], key
        assert float(row[key]) == pytest.approx(from_run[key], rel=0, abs=0), key
    with pytest.raises(colosim.InputError, match="cannot tell the trace format"):
        colosim.run(CLUSTER, trace, policy="binpack")

    # allow_empty: a trace without jobs runs (0 jobs) everywhere, and is an error without it.
    empty = tmp_path / "empty.csv"
    empty.write_text("id,app,submit_s,duration_s,gpus\n")
    cli_empty = subprocess.run([str(cli), "run", "--cluster", CLUSTER, "--trace", str(empty), "--allow-empty",
                                "--policy", "binpack", "--format", "json"], check=True, capture_output=True, text=True)
    assert json.loads(cli_empty.stdout)["summary"]["jobs"] == 0
    assert colosim.run(CLUSTER, empty, policy="binpack", allow_empty=True).summary["jobs"] == 0
    assert colosim.compare(trace=empty, clusters=CLUSTER, policies="binpack", allow_empty=True).runs["jobs"].tolist() == [0]
    with pytest.raises(colosim.InputError, match="empty.csv"):
        colosim.run(CLUSTER, empty, policy="binpack")


def test_issue9_trace_formats_are_listed_from_one_registry(cli):
    listed = subprocess.run([str(cli), "formats"], check=True, capture_output=True, text=True).stdout
    formats = colosim.trace_formats()
    assert [f["name"] for f in formats] == ["csv", "json", "pb", "textproto"]
    assert next(f for f in formats if f["name"] == "textproto")["extensions"] == [".textproto", ".txtpb"]
    for f in formats:
        line = next(line for line in listed.splitlines() if line.startswith(f["name"] + " "))
        assert f["description"] in line and " ".join(f["extensions"]) in line
    run_help = subprocess.run([str(cli), "run", "--help"], check=True, capture_output=True, text=True).stdout
    assert "csv, json, pb, textproto" in " ".join(run_help.split())
