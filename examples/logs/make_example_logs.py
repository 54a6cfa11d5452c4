#!/usr/bin/python3
"""Writes the example cluster logs of this folder: what `kubectl get pods -A -o json`,
`kubectl get nodes -o json` and `sacct --parsable2` would show for a small made-up GPU cluster
(4 nodes x 8 A100) after a day of work by three teams. No real user's data: the jobs are drawn
here from a fixed seed, and the schedule is what colosim's first-fit policy did with them, so
`colosim validate --policy first-fit` on these logs reproduces every recorded time exactly
(docs/validate.md), while other policies show how far a what-if answer moves.

    /usr/bin/python3 examples/logs/make_example_logs.py build/tools/colosim
"""
import csv
import datetime
import json
import pathlib
import random
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ORIGIN = datetime.datetime(2026, 3, 2, 8, 0, 0, tzinfo=datetime.timezone.utc)
NODES = [f"gpu-a100-{i:02d}" for i in range(1, 5)]
GPUS_PER_NODE = 8
TEAMS = {"vision": ["resnet50", "vit-b16"], "nlp": ["bert-large", "gpt2-medium"], "speech": ["conformer"]}
JOBS = 60
LOG_AFTER_S = 14 * 3600  # the logs are taken at 22:00, 14 hours after 08:00


def iso(seconds, zone=True):
    t = ORIGIN + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if zone else "")


def draw_jobs(sizes, weights):
    rng = random.Random(20260302)
    jobs, t = [], 0
    for i in range(JOBS):
        t += rng.randint(30, 600)
        team = rng.choice(sorted(TEAMS))
        app = rng.choice(TEAMS[team])
        gpus = rng.choices(sizes, weights=weights)[0]
        duration = rng.randint(10, 360) * 60
        jobs.append({"id": f"{team}-{app}-{i:03d}", "team": team, "app": app, "submit": t, "gpus": gpus,
                     "duration": duration, "cpu": 6 * gpus, "mem_gib": 48 * gpus})
    return jobs


def schedule(colosim, jobs):
    """colosim first-fit on the cluster: start, end and nodes of each job."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        cluster = tmp / "cluster.textproto"
        cluster.write_text('schema_version: 1\nname: "example"\n'
                           'gpu_types { name: "A100-80GB" memory_mib: 81920 speed: 1.0 }\n' +
                           "".join(f'nodes {{ name: "{n}" gpu_type: "A100-80GB" gpus: {GPUS_PER_NODE} }}\n'
                                   for n in NODES))
        trace = tmp / "jobs.csv"
        with trace.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "app", "submit_s", "duration_s", "gpus", "user"])
            for j in jobs:
                w.writerow([j["id"], j["app"], j["submit"], j["duration"], j["gpus"], j["team"]])
        subprocess.run([colosim, "run", "--trace", str(trace), "--cluster", str(cluster), "--policy", "first-fit",
                        "--out", str(tmp / "out"), "--quiet"], check=True, stdout=subprocess.DEVNULL)
        with (tmp / "out" / "jobs.csv").open() as f:
            rows = {r["id"]: r for r in csv.DictReader(f)}
    for j in jobs:
        r = rows[j["id"]]
        j["start"] = round(float(r["start_s"]))
        j["end"] = round(float(r["end_s"]))
        gpus = [int(g) for g in r["gpu_list"].split("|")]
        j["nodes"] = sorted({NODES[g // GPUS_PER_NODE] for g in gpus})


def pod(n, j):
    pending = j["start"] > LOG_AFTER_S
    running = not pending and j["end"] > LOG_AFTER_S
    gpus_per_pod = j["gpus"]
    phase = "Pending" if pending else "Running" if running else ("Failed" if j["id"].endswith("7") else "Succeeded")
    container_start = j["start"] + 4  # image already cached: a few seconds from binding
    state = ({"running": {"startedAt": iso(container_start)}} if running else
             {"terminated": {"exitCode": 1 if phase == "Failed" else 0, "reason": "Error" if phase == "Failed" else "Completed",
                             "startedAt": iso(container_start), "finishedAt": iso(j["end"])}})
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": j["id"] + "-worker-0", "namespace": "team-" + j["team"],
                     "uid": f"7f3c{n:04d}-91d2-4b6e-8000-{n * 7919:012d}",
                     "creationTimestamp": iso(j["submit"]),
                     "labels": {"app.kubernetes.io/name": j["app"], "kueue.x-k8s.io/queue-name": j["team"] + "-queue",
                                "batch.kubernetes.io/job-name": j["id"]},
                     "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": j["id"], "controller": True}]},
        "spec": {**({} if pending else {"nodeName": j["nodes"][0]}), "schedulerName": "default-scheduler", "priority": 0,
                 "restartPolicy": "Never",
                 "containers": [{"name": "trainer", "image": f"registry.example.com/{j['team']}/{j['app']}:1.4",
                                 "resources": {"requests": {"cpu": str(j["cpu"] * gpus_per_pod // j["gpus"]),
                                                            "memory": f"{j['mem_gib'] * gpus_per_pod // j['gpus']}Gi",
                                                            "nvidia.com/gpu": str(gpus_per_pod)},
                                               "limits": {"nvidia.com/gpu": str(gpus_per_pod)}}}]},
        "status": {"phase": phase, "startTime": iso(j["start"]),
                   "conditions": [{"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                                   "lastTransitionTime": iso(j["start"])}],
                   "containerStatuses": [{"name": "trainer", "ready": running, "restartCount": 0, "state": state}]}
        if not pending else
        {"phase": "Pending",
         "conditions": [{"type": "PodScheduled", "status": "False", "lastProbeTime": None, "reason": "Unschedulable",
                         "lastTransitionTime": iso(j["submit"]),
                         "message": f"0/4 nodes are available: 4 Insufficient nvidia.com/gpu."}]},
    }


def node(name):
    gpu = {"nvidia.com/gpu": str(GPUS_PER_NODE), "cpu": "128", "memory": "1056581232Ki", "pods": "110"}
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name,
                                                  "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB",
                                                  "nvidia.com/gpu.memory": "81920", "nvidia.com/gpu.count": "8"}},
            "status": {"capacity": gpu, "allocatable": dict(gpu, cpu="127500m")}}


def hostlist(nodes):
    numbers = [n.rsplit("-", 1)[1] for n in nodes]
    return nodes[0] if len(nodes) == 1 else "gpu-a100-[" + ",".join(numbers) + "]"


def sacct_rows(jobs):
    header = "JobID|JobName|User|Account|Partition|QOS|Submit|Start|End|Elapsed|State|AllocTRES|ReqTRES|NodeList"
    rows = [header]
    for n, j in enumerate(jobs):
        job_id = str(41000 + n)
        started = j["start"] <= LOG_AFTER_S
        running = started and j["end"] > LOG_AFTER_S
        elapsed = (min(j["end"], LOG_AFTER_S) - j["start"]) if started else 0
        state = "PENDING" if not started else "RUNNING" if running else (
            "FAILED" if job_id.endswith("7") else "CANCELLED by 1002" if job_id.endswith("3") else "COMPLETED")
        tres = f"billing={j['cpu']},cpu={j['cpu']},gres/gpu={j['gpus']},mem={j['mem_gib']}G,node={len(j['nodes'])}"
        req = f"billing={j['cpu']},cpu={j['cpu']},gres/gpu={j['gpus']},mem={j['mem_gib']}G,node={len(j['nodes'])}"
        user = {"vision": "ana", "nlp": "bo", "speech": "chen"}[j["team"]]
        e = f"{elapsed // 3600:02d}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d}"
        rows.append("|".join([job_id, j["app"], user, j["team"], "gpu", "normal", iso(j["submit"], False),
                              iso(j["start"], False) if started else "Unknown",
                              iso(j["end"], False) if started and not running else "Unknown", e, state,
                              tres if started else "", req, hostlist(j["nodes"]) if started else "None assigned"]))
        if started:  # the steps sacct lists without --allocations
            rows.append("|".join([job_id + ".batch", "batch", "", j["team"], "", "", iso(j["start"], False),
                                  iso(j["start"], False), iso(j["end"], False) if not running else "Unknown", e,
                                  state.split()[0], f"cpu={j['cpu']},gres/gpu={j['gpus']},mem={j['mem_gib']}G,node=1", "",
                                  j["nodes"][0]]))
    return rows


def main():
    colosim = sys.argv[1] if len(sys.argv) > 1 else "build/tools/colosim"
    # Pods: jobs of one node (a multi-node job is several pods, one per node, as a PyTorchJob
    # makes them, which the kubernetes importer reads as separate jobs).
    pod_jobs = draw_jobs([1, 2, 4, 8], [40, 20, 20, 15])
    schedule(colosim, pod_jobs)
    pods = [pod(n, j) for n, j in enumerate(pod_jobs) if j["submit"] <= LOG_AFTER_S]
    (HERE / "pods.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": pods,
                                                "metadata": {"resourceVersion": ""}}, indent=4) + "\n")
    (HERE / "nodes.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List",
                                                 "items": [node(n) for n in NODES],
                                                 "metadata": {"resourceVersion": ""}}, indent=4) + "\n")
    slurm_jobs = draw_jobs([1, 2, 4, 8, 16], [40, 20, 20, 15, 5])
    schedule(colosim, slurm_jobs)
    (HERE / "sacct.txt").write_text("\n".join(sacct_rows([j for j in slurm_jobs if j["submit"] <= LOG_AFTER_S])) + "\n")


if __name__ == "__main__":
    main()
