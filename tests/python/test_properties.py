"""Property-based tests (issue 10, "make the next ones findable"): random seeded clusters
(heterogeneous GPU types, tiny and huge GPUs, slow and fast) and workloads (gangs larger than
nodes, fractional GPU shares, memory beyond a GPU's, unknown pairs and GPU types, extreme but
valid times) x every registered policy x every discipline, memory mode, GPU sharing and
composition, through the Python module. After each run, from the jobs DataFrame alone: every job
reported exactly once with a valid outcome and its reason; start >= submit, end >= start; no GPU
over its share, nor over memory when memory is enforced; no finished job faster than its GPUs
allow (work conserved: slowdowns are >= 1); the summary recomputed from the rows agrees; the same
seed gives the same bytes. A few cases also check that the CLI, colosim.run and colosim.compare
agree. (The C++ conformance test and fuzz/fuzz_simulation.cc check the same contract with
ContractChecker, which also follows each job's rate.)

Hundreds of cases by default, derandomized (the same cases on every run, so CI is
deterministic); thousands of new ones each time under ``./scripts/test --long`` (COLOSIM_LONG=1).
"""
from __future__ import annotations

import math
import os
import subprocess

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import colosim

LONG = os.environ.get("COLOSIM_LONG", "") not in ("", "0")
settings.register_profile("colosim", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("colosim-long", derandomize=False, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile("colosim-long" if LONG else "colosim")
EXAMPLES = 3000 if LONG else 250       # the contract, one run each (and a rerun)
AGREEMENT_EXAMPLES = 60 if LONG else 6  # CLI = Python = compare, three runs each

OUTCOMES = {"finished", "oom-failed", "unschedulable", "never-started", "unfinished"}
APPS = ["a", "b", "c", "z"]  # "z" is never in the pair table
TYPES = ["T0", "T1", "T2"]
# gavel decides every round until the last job ends: rounds of 1e8 s keep horizon-long jobs cheap.
POLICIES = [p["name"] if p["name"] != "gavel" else "gavel:round=1e8" for p in colosim.policies()] + [
    "random:check_memory=false", "load-balance:check_memory=false", "standalone:check_memory=false"]
MAX_SECONDS = 2 ** 51 / 1e6  # kMaxTicks: the longest valid time, 71 years


@st.composite
def clusters(draw):
    types = draw(st.integers(1, 3))
    gpu_types = [{"name": TYPES[t], "memory_mib": draw(st.sampled_from([1, 512, 16000, 40960, 81920, 2 ** 40])),
                  "speed": draw(st.sampled_from([1e-9, 0.001, 0.5, 1.0, 2.0, 1e6]))} for t in range(types)]
    nodes = [{"name": f"n{n}", "gpu_type": TYPES[draw(st.integers(0, types - 1))], "gpus": draw(st.integers(1, 8))}
             for n in range(draw(st.integers(1, 4)))]
    return {"name": "random", "gpu_types": gpu_types, "nodes": nodes}


@st.composite
def workloads(draw):
    jobs, t = [], 0.0
    for i in range(draw(st.integers(1, 40))):
        t = min(MAX_SECONDS, t + draw(st.sampled_from([0, 0, 1, 7.5, 1000, 1e9])))
        duration = draw(st.one_of(st.sampled_from([0, 1e-6, 1, 60, 86400, 2e9]), st.integers(0, 1000)))
        jobs.append({
            "id": f"j{i}", "app": draw(st.sampled_from(APPS)), "submit_s": t, "duration_s": float(duration),
            "gpus": draw(st.integers(1, 10)),
            "memory_mib": draw(st.one_of(st.sampled_from([0, 1, 12000, 20000, 90000, 2 ** 41]), st.integers(0, 50000))),
            "gpu_milli": draw(st.one_of(st.just(0), st.integers(0, 1000))),
            "gpu_util": draw(st.integers(0, 100)),
            "gpu_types": draw(st.sampled_from(["", "", "", "T0", "T1", "T0|T2", "unknown"])),
            "priority": draw(st.integers(-2, 2)),
        })
    return jobs


@st.composite
def pair_tables(draw):
    slowdowns = st.sampled_from([0.5, 0.97, 1.0, 1.3, 2.0, 10.0, 1e6])
    pairs = {(v, a): draw(slowdowns) for v in APPS[:3] for a in APPS[:3] if draw(st.booleans())}
    infeasible = [(draw(st.sampled_from(APPS)), draw(st.sampled_from(APPS)))] if draw(st.integers(0, 3)) == 0 else []
    unknown = draw(st.one_of(st.none(), slowdowns, slowdowns, slowdowns))
    return pairs, infeasible, unknown


@st.composite
def options(draw):
    return {"discipline": draw(st.sampled_from(["fifo", "backfill"])),
            # las costs an event per quantum while jobs wait, up to the horizon (2^61 us) for jobs
            # on the slowest GPUs: a quantum of 1e9 GPU-s keeps that to thousands.
            "queue_order": draw(st.sampled_from(["", "fifo", "priority", "sjf", "sjf:by=duration", "srtf",
                                                 "las:quantum=1e9", "2d-las:thresholds=20/90"])),
            "suspend_delay_s": draw(st.sampled_from([0, 0, 1e-6, 3, 40])),
            "resume_delay_s": draw(st.sampled_from([0, 0, 1e-6, 3, 40])),
            "checkpoint_interval_s": draw(st.sampled_from([0, 0, 1e-6, 3, 40])),
            "memory": draw(st.sampled_from(["enforce", "overcommit", "ignore"])),
            "gpu_sharing": draw(st.sampled_from(["by-share", "stack"])),
            "gpu_execution": draw(st.sampled_from(["concurrent", "time-sliced"])),
            "time_slice_s": draw(st.sampled_from([1e-6, 2, 60])),
            "context_switch_s": draw(st.sampled_from([0, 0.5])),
            "composition": draw(st.sampled_from(["multiplicative", "additive"])),
            "backfill_depth": draw(st.integers(0, 50)),
            "max_oom_retries": draw(st.integers(0, 3)),
            "oom_delay_s": draw(st.integers(0, 100)),
            "allow_multi_node": draw(st.booleans())}


def gpu_table(cluster):
    """(type name, memory MiB, speed) per GPU index: GPUs are numbered node by node."""
    types = {t["name"]: t for t in cluster["gpu_types"]}
    return [(n["gpu_type"], types[n["gpu_type"]]["memory_mib"], types[n["gpu_type"]]["speed"])
            for n in cluster["nodes"] for _ in range(n["gpus"])]


def nearest_rank(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    rank = min(max(math.ceil(p / 100.0 * len(values)), 1), len(values))
    return values[rank - 1]


def check_contract(df: pd.DataFrame, summary: dict, cluster, jobs, opts):
    """The run's contract, from the jobs DataFrame and the summary alone."""
    assert sorted(df["id"]) == sorted(j["id"] for j in jobs), "every job reported exactly once"
    by_id = {j["id"]: j for j in jobs}
    gpus = gpu_table(cluster)
    residencies = []  # (start, end, gpu, memory, share)
    for row in df.itertuples(index=False):
        job = by_id[row.id]
        assert row.outcome in OUTCOMES, row
        assert row.submit_s == pytest.approx(job["submit_s"], rel=1e-12, abs=1e-6)
        started = row.outcome in ("finished", "oom-failed", "unfinished")
        ended = row.outcome in ("finished", "oom-failed")
        assert started != math.isnan(row.start_s), row
        assert ended != math.isnan(row.end_s), row
        if row.outcome != "finished":
            assert row.note, f"{row.id} ({row.outcome}) gives no reason"
        if not started:
            continue
        assert row.start_s >= row.submit_s, row
        gpu_list = [int(g) for g in row.gpu_list.split("|")]
        assert len(gpu_list) == len(set(gpu_list)) == job["gpus"], row
        allowed = job["gpu_types"].split("|") if job["gpu_types"] else None
        assert all(0 <= g < len(gpus) and (allowed is None or gpus[g][0] in allowed) for g in gpu_list), row
        if ended:
            assert row.end_s >= row.start_s, row
        if row.outcome == "finished":
            # Slowdowns are >= 1: the job is never faster than its slowest GPU alone (to a tick).
            speed = min(gpus[g][2] for g in gpu_list)
            run_time = row.end_s - row.start_s
            # Slack: one tick, and the residue of a difference of two large times in seconds.
            slack = (1e-6 + 1e-15 * row.end_s) * max(speed, 1.0) + 1e-9 * job["duration_s"]
            assert run_time * speed >= job["duration_s"] - slack, row
        if row.preemptions > 0:
            continue  # its last GPUs held it only from its last resume, which the row does not state
        share = job["gpu_milli"] or (1000 if opts["gpu_sharing"] == "by-share" else 0)
        end = row.end_s if ended else math.inf
        residencies += [(row.start_s, end, g, job["memory_mib"], share) for g in gpu_list]
    # What was on each GPU at once (last attempts: real residencies, so a subset of the truth).
    # Ends before starts at the same instant, as the core frees GPUs before it places.
    events = sorted([(s, 1, g, m, sh) for s, e, g, m, sh in residencies if e > s] +
                    [(e, 0, g, -m, -sh) for s, e, g, m, sh in residencies if e > s])
    memory, shares = [0] * len(gpus), [0] * len(gpus)
    for _, _, g, m, sh in events:
        memory[g] += m
        shares[g] += sh
        assert shares[g] <= 1000, f"GPU {g} over its whole share"
        if opts["memory"] == "enforce":
            assert memory[g] <= gpus[g][1], f"GPU {g} over memory although memory is enforced"

    counts = df["outcome"].value_counts()
    for key, outcome in [("finished", "finished"), ("oom_failed", "oom-failed"), ("unschedulable", "unschedulable"),
                         ("never_started", "never-started"), ("unfinished", "unfinished")]:
        assert summary[key] == counts.get(outcome, 0), key
    assert summary["jobs"] == len(jobs)
    assert summary["oom_events"] == df["oom_retries"].sum()
    if opts["memory"] != "overcommit":
        assert summary["oom_events"] == 0
    finished = df[df["outcome"] == "finished"]
    last_end, first_submit = df["end_s"].max(), df["submit_s"].min()
    expected = {
        "makespan_s": last_end - first_submit if not math.isnan(last_end) and last_end > first_submit else 0.0,
        "jct_mean_s": finished["jct_s"].mean() if len(finished) else 0.0,
        "queueing_delay_mean_s": finished["queueing_delay_s"].mean() if len(finished) else 0.0,
        "slowdown_mean": finished["slowdown"].mean() if len(finished) else 0.0,
        "jct_p50_s": nearest_rank(list(finished["jct_s"]), 50),
        "jct_p95_s": nearest_rank(list(finished["jct_s"]), 95),
        "jct_p99_s": nearest_rank(list(finished["jct_s"]), 99),
        "slowdown_p95": nearest_rank(list(finished["slowdown"]), 95),
    }
    assert summary["preemptions"] == df["preemptions"].sum()
    # From the printed (6-decimal) rho and GPU-seconds: close, not to the last bit.
    with_work = np.array([by_id[i]["duration_s"] > 0 for i in finished["id"]], dtype=bool)
    rho = finished["ftf_rho"][with_work]
    held = df["attained_gpu_s"].sum()
    printed = {"ftf_max": rho.max() if len(rho) else 0.0,
               # (rho printed as 0.000000 for all: nothing to compare)
               "ftf_jain": rho.sum() ** 2 / (len(rho) * (rho ** 2).sum()) if (rho ** 2).sum() > 0 else summary["ftf_jain"],
               "lost_gpu_time_share": df["lost_gpu_s"].sum() / held if held > 1 else summary["lost_gpu_time_share"]}
    for key, value in printed.items():
        assert summary[key] == pytest.approx(value, rel=1e-4, abs=1e-4), key
    for key, value in expected.items():
        # Seconds of differences of times up to 71 years: a double's residue is below a tick.
        assert summary[key] == pytest.approx(value, rel=1e-9, abs=2e-6), key
    assert 0.0 <= summary["gpu_time_utilisation"] <= 1.0 + 1e-9


def interference_of(pairs, infeasible, unknown, opts):
    return colosim.interference(pairs, composition=opts["composition"], unknown_pair_slowdown=unknown,
                                infeasible=infeasible)


def run_options_of(opts):
    return {k: v for k, v in opts.items() if k != "composition"}


@settings(PROFILE, max_examples=EXAMPLES)
@given(cluster=clusters(), jobs=workloads(), table=pair_tables(), opts=options(),
       policy=st.sampled_from(POLICIES), seed=st.integers(1, 2 ** 32))
def test_issue_10_random_runs_keep_the_contract(cluster, jobs, table, opts, policy, seed):
    pairs, infeasible, unknown = table
    model = interference_of(pairs, infeasible, unknown, opts)
    try:
        result = colosim.run(cluster, jobs, model, policy, seed=seed, time_series=False, **run_options_of(opts))
    except colosim.Error as e:
        # Only the documented refusals: a pair the table cannot answer, a policy placing over
        # memory that --memory enforce forbids (check_memory=false).
        message = str(e)
        assert ("no slowdown" in message or "unknown pair" in message or "pair" in message
                or ("check_memory=false" in policy and opts["memory"] == "enforce")), message
        return
    check_contract(result.jobs, result.summary, cluster, jobs, opts)
    again = colosim.run(cluster, jobs, model, policy, seed=seed, time_series=False, **run_options_of(opts))
    assert again.jobs.to_csv() == result.jobs.to_csv(), "same seed, same bytes"
    assert again.summary == result.summary


@settings(PROFILE, max_examples=AGREEMENT_EXAMPLES)
@given(cluster=clusters(), jobs=workloads(), opts=options(), policy=st.sampled_from(POLICIES),
       seed=st.integers(1, 1000), data=st.data())
def test_issue_10_cli_python_and_compare_agree(tmp_path_factory, cli, cluster, jobs, opts, policy, seed, data):
    tmp = tmp_path_factory.mktemp("agree")
    pairs, _, _ = data.draw(pair_tables())
    colosim.cluster(cluster).save(str(tmp / "cluster.textproto"))
    colosim.trace(jobs).save(str(tmp / "jobs.csv"))
    with open(tmp / "pairs.csv", "w") as f:
        f.write("victim,aggressor,slowdown\n" + "".join(f"{v},{a},{s!r}\n" for (v, a), s in sorted(pairs.items())))
    opts = dict(opts, unknown_pair_slowdown=1.5)
    inputs = [str(tmp / "cluster.textproto"), str(tmp / "jobs.csv"), str(tmp / "pairs.csv")]
    flags = [a for k, v in opts.items() for a in (f"--{k.replace('_', '-')}", str(v).lower())]
    done = subprocess.run([str(cli), "run", "--cluster", inputs[0], "--trace", inputs[1], "--interference", inputs[2],
                           "--policy", policy, "--seed", str(seed), "--out", str(tmp / "cli"), *flags],
                          capture_output=True, text=True)
    try:
        result = colosim.run(*inputs, policy, seed=seed, time_series=False, **opts)
    except colosim.Error as e:
        assert done.returncode != 0, f"Python refused ({e}) what the CLI ran"
        return
    assert done.returncode == 0, done.stderr
    result.write(tmp / "py")
    assert (tmp / "py" / "jobs.csv").read_bytes() == (tmp / "cli" / "jobs.csv").read_bytes()
    comparison = colosim.compare(trace=inputs[1], clusters=inputs[0], interference=inputs[2], policies=policy,
                                 seeds=seed, jobs=1, **opts)
    row = comparison.runs.iloc[0]
    for key, value in result.summary.items():
        assert row[key] == pytest.approx(value, rel=1e-12), key
