#!/usr/bin/python3
"""Load test of `colosim extender` on loopback: a cluster of N nodes (8 GPUs each, a quarter of
them partly in use), sent as kube-scheduler sends it (ExtenderArgs with full Node objects, i.e.
nodeCacheCapable false) by client threads, for a bounded number of requests. Prints requests/s
and latency percentiles. Only 127.0.0.1 is ever contacted.

    /usr/bin/python3 bench/extender_load.py build/tools/colosim --nodes 1000 --requests 400 --threads 4
"""
import argparse
import concurrent.futures
import json
import re
import statistics
import subprocess
import time
import urllib.request


def node(i):
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": f"gpu-node-{i:05d}",
                         "labels": {"nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB", "nvidia.com/gpu.memory": "81920",
                                    "kubernetes.io/hostname": f"gpu-node-{i:05d}"}},
            "status": {"allocatable": {"nvidia.com/gpu": "8", "cpu": "127500m", "memory": "1056581232Ki", "pods": "110"},
                       "capacity": {"nvidia.com/gpu": "8", "cpu": "128", "memory": "1056683632Ki", "pods": "110"}}}


def pod(name, gpus, node_name=None, phase="Pending"):
    p = {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": name, "namespace": "team-a", "labels": {"app.kubernetes.io/name": "resnet50"}},
         "spec": {"containers": [{"name": "trainer", "image": "registry.example.com/resnet50:1.4",
                                  "resources": {"requests": {"cpu": "8", "memory": "64Gi"},
                                                "limits": {"nvidia.com/gpu": str(gpus)}}}]},
         "status": {"phase": phase}}
    if node_name:
        p["spec"]["nodeName"] = node_name
    return p


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("colosim")
    parser.add_argument("--policy", default="binpack")
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--verb", default="prioritize", choices=["filter", "prioritize"])
    a = parser.parse_args()
    assert 0 < a.requests <= 100000 and 0 < a.threads <= 64, "bounded runs only"

    server = subprocess.Popen([a.colosim, "extender", "--policy", a.policy, "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r"127\.0\.0\.1:(\d+)", server.stdout.readline()).group(1))
        base = f"http://127.0.0.1:{port}"
        running = [pod(f"running-{i}", 1 + i % 4, f"gpu-node-{i:05d}", "Running") for i in range(0, a.nodes, 4)]
        urllib.request.urlopen(urllib.request.Request(base + "/state", json.dumps({"items": running}).encode(), method="POST",
                                                      headers={"Content-Type": "application/json"}), timeout=60).read()
        nodes = {"apiVersion": "v1", "kind": "NodeList", "items": [node(i) for i in range(a.nodes)]}
        bodies = [json.dumps({"Pod": pod(f"p{i}", 1 + i % 8), "Nodes": nodes}).encode() for i in range(8)]

        def one(i):
            start = time.perf_counter()
            with urllib.request.urlopen(urllib.request.Request(base + "/" + a.verb, bodies[i % 8], method="POST",
                                                               headers={"Content-Type": "application/json"}),
                                        timeout=60) as r:
                r.read()
                ok = r.status == 200
            return time.perf_counter() - start, ok

        one(0)  # warm up
        began = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(a.threads) as pool:
            results = list(pool.map(one, range(a.requests)))
        elapsed = time.perf_counter() - began
        latencies = sorted(r[0] for r in results)
        failures = sum(1 for r in results if not r[1])

        def pct(p):
            return latencies[min(len(latencies) - 1, max(0, int(round(p / 100 * len(latencies))) - 1))] * 1000

        print(f"policy {a.policy}, {a.verb}, {a.nodes} nodes ({len(running)} running pods), body "
              f"{len(bodies[0]) / 1024:.0f} KiB, {a.requests} requests on {a.threads} threads: "
              f"{a.requests / elapsed:.1f} requests/s, latency p50 {pct(50):.1f} ms, p99 {pct(99):.1f} ms, "
              f"mean {statistics.mean(latencies) * 1000:.1f} ms, failures {failures}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
