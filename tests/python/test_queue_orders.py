"""Issue 11: the queue order is one run option, the same from Python, `colosim run` and sweep files."""
from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest

import colosim

# One GPU held by 'a' until 100 s; at 1 s three jobs queue (worked out in tests/test_queue_orders.cc):
# fifo runs b, c, d; priority c, d, b; sjf d, b, c.
JOBS = pd.DataFrame({"id": ["a", "b", "c", "d"], "app": ["x"] * 4, "submit_s": [0.0, 1.0, 1.0, 1.0],
                     "duration_s": [100.0, 10.0, 50.0, 5.0], "gpus": [1] * 4, "memory_mib": [1000] * 4,
                     "priority": [0, 0, 2, 1]})
EXPECTED = {"fifo": {"a": 0, "b": 100, "c": 110, "d": 160},
            "priority": {"a": 0, "c": 100, "d": 150, "b": 155},
            "sjf": {"a": 0, "d": 100, "b": 105, "c": 115}}


@pytest.mark.parametrize("order", sorted(EXPECTED))
def test_queue_order_from_python_matches_the_worked_example(order, tmp_path, cli):
    cluster = colosim.Cluster.uniform(nodes=1, gpus_per_node=1, gpu_type="G", memory_mib=16000)
    result = colosim.run(cluster, colosim.trace(JOBS), "none", "binpack", queue_order=order)
    assert result.jobs.set_index("id")["start_s"].to_dict() == EXPECTED[order]

    # The CLI gives the same bytes for the same option.
    cluster.save(str(tmp_path / "cluster.textproto"))
    JOBS.to_csv(tmp_path / "jobs.csv", index=False)
    subprocess.run([str(cli), "run", "--cluster", str(tmp_path / "cluster.textproto"), "--trace",
                    str(tmp_path / "jobs.csv"), "--policy", "binpack", "--queue-order", order, "--out",
                    str(tmp_path / "out")], check=True, capture_output=True)
    result.write(tmp_path / "py", meta=json.loads((tmp_path / "out" / "summary.json").read_text())["run"])
    assert (tmp_path / "py" / "jobs.csv").read_bytes() == (tmp_path / "out" / "jobs.csv").read_bytes()


def test_unknown_queue_order_is_an_error_listing_the_known_ones():
    cluster = colosim.Cluster.uniform(nodes=1, gpus_per_node=1, gpu_type="G", memory_mib=16000)
    with pytest.raises(colosim.Error, match=r"unknown queue order 'lifo' \(known: 2d-las, fifo, gittins, las, priority, sjf, srtf\)"):
        colosim.run(cluster, colosim.trace(JOBS), "none", "binpack", queue_order="lifo")
