"""Issue 17: `colosim extender` drives a simulated cluster, and `colosim validate` replays the log it
recorded: the extender's schedule is the simulator's, job for job (docs/kubernetes.md)."""
from __future__ import annotations

import datetime
import heapq
import json
import re
import subprocess
import urllib.error
import urllib.request

import pytest

import colosim
from conftest import ROOT

LOGS = ROOT / "examples" / "logs"
ORIGIN = datetime.datetime(2026, 3, 2, 8, 0, 0, tzinfo=datetime.timezone.utc)


def iso(seconds):
    return (ORIGIN + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


class Extender:
    """A colosim extender on a free loopback port, stopped on exit."""

    def __init__(self, cli, policy):
        self.process = subprocess.Popen([cli, "extender", "--policy", policy, "--listen", "127.0.0.1:0"],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        self.base = "http://127.0.0.1:" + re.search(r"127\.0\.0\.1:(\d+)", line).group(1)

    def post(self, path, body):
        request = urllib.request.Request(self.base + path, json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        assert self.process.wait(timeout=30) == 0


def pod_object(job, node=None, start=None, end=None):
    """The pod as kubectl would list it."""
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": job["name"], "namespace": job["namespace"], "creationTimestamp": iso(job["submit"]),
                        "labels": {"app.kubernetes.io/name": job["app"]}},
           "spec": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": str(job["gpus"])}}}]},
           "status": {"phase": "Pending"}}
    if node is not None:
        pod["spec"]["nodeName"] = node
        pod["status"] = {"phase": "Running" if end is None else "Succeeded",
                         "conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": iso(start)}],
                         "containerStatuses": [{"name": "main", "state": {"running": {"startedAt": iso(start)}} if end is None
                                                else {"terminated": {"startedAt": iso(start), "finishedAt": iso(end)}}}]}
    return pod


def drive(extender, jobs, nodes):
    """Plays kube-scheduler with a backfilling queue: at each instant, ends first, then every pending
    pod in arrival order is filtered, prioritized and bound to its best node, or waits."""
    events = [(j["submit"], 1, i) for i, j in enumerate(jobs)]
    heapq.heapify(events)
    pending, running, placed = [], {}, {}
    while events:
        now = events[0][0]
        while events and events[0][0] == now:
            _, kind, i = heapq.heappop(events)
            if kind == 0:
                del running[i]
            else:
                pending.append(i)
        status, reply = extender.post("/state", {"items": [pod_object(jobs[i], *placed[i]) for i in running]})
        assert status == 200 and reply["running_pods"] == len(running)
        for i in list(pending):
            args = {"Pod": pod_object(jobs[i]), "Nodes": {"items": nodes}}
            status, result = extender.post("/filter", args)
            assert status == 200 and result["Error"] == ""
            fitting = [n["metadata"]["name"] for n in result["Nodes"]["items"]]
            if not fitting:
                continue
            status, scores = extender.post("/prioritize", args)
            assert status == 200
            best = max((s for s in scores if s["Host"] in fitting), key=lambda s: s["Score"])["Host"]
            status, bound = extender.post("/bind", {"PodName": jobs[i]["name"], "PodNamespace": jobs[i]["namespace"],
                                                    "PodUID": str(i), "Node": best})
            assert status == 200 and bound["Error"] == ""
            pending.remove(i)
            running[i] = best
            placed[i] = (best, now)
            heapq.heappush(events, (now + jobs[i]["duration"], 0, i))
    assert not pending
    return placed


@pytest.mark.parametrize("policy", ["binpack", "first-fit"])
def test_the_extender_schedule_is_the_simulators(cli, tmp_path, policy):
    trace, _, _ = colosim.import_trace("kubernetes", LOGS / "pods.json", [LOGS / "nodes.json"],
                                       {"log-time": "2026-03-02T22:00:00Z"})
    columns = trace.to_columns()
    jobs = []
    for k in range(len(columns["id"])):
        namespace, name = columns["id"][k].split("/")
        jobs.append({"namespace": namespace, "name": name, "app": columns["app"][k], "gpus": int(columns["gpus"][k]),
                     "submit": int(round(columns["submit_s"][k])), "duration": int(round(columns["duration_s"][k]))})
    nodes = json.loads((LOGS / "nodes.json").read_text())["items"]
    with Extender(cli, policy) as extender:
        placed = drive(extender, jobs, nodes)
    assert len(placed) == len(jobs)
    recorded = {"apiVersion": "v1", "kind": "List",
                "items": [pod_object(j, placed[i][0], placed[i][1], placed[i][1] + j["duration"])
                          for i, j in enumerate(jobs)]}
    log = tmp_path / "recorded.json"
    log.write_text(json.dumps(recorded))
    pb = tmp_path / "recorded.pb"
    subprocess.run([cli, "convert", "--from", "kubernetes", log, pb, "--with", LOGS / "nodes.json", "-q"], check=True)
    v = colosim.validate(pb, policy=policy)
    errors = v.errors()
    assert (errors["n"] == len(jobs)).all()
    assert (errors["mae_s"] == 0).all(), errors
    assert v.summary["placement"]["same_nodes_fraction"] == 1
    # And the waits were real: the extender held pods back when the cluster was full.
    assert (v.jobs["recorded_queueing_delay_s"] > 0).sum() > 10


def test_a_preempting_policy_is_refused(cli):
    out = subprocess.run([cli, "extender", "--policy", "tiresias", "--listen", "127.0.0.1:0"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode != 0
    assert "placement policies only" in out.stderr
