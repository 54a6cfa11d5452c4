"""Clusters, traces and interference models from files, dicts and DataFrames (issue 5)."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import colosim

from conftest import SEED, shared_data


# ----------------------------------------------------------------------------- clusters

def test_cluster_uniform_counts_gpus():
    c = colosim.Cluster.uniform(nodes=3, gpus_per_node=4, gpu_type="A100", memory_mib=40960)
    assert c.total_gpus == 12
    assert [n.name for n in c.nodes] == ["node0", "node1", "node2"]
    assert c.gpu_types[0].name == "A100" and c.gpu_types[0].memory_mib == 40960
    assert c.gpu_types_by_gpu() == ["A100"] * 12


def test_cluster_from_file_dict_and_uniform_dict_agree():
    from_file = colosim.cluster(SEED / "cluster.textproto")
    assert from_file.total_gpus == 4 and from_file.gpu_types[0].memory_mib == 12288
    from_dict = colosim.cluster({"name": "x", "gpu_types": [{"name": "TitanXp", "memory_mib": 12288}],
                                 "nodes": [{"name": "node0", "gpu_type": "TitanXp", "gpus": 4}]})
    assert from_dict.total_gpus == 4
    uniform = colosim.cluster({"nodes": 2, "gpus_per_node": 2, "gpu_type": "T4", "memory_mib": 15360})
    assert uniform.total_gpus == 4 and uniform.gpu_types[0].name == "T4"


def test_cluster_save_and_load_round_trip(tmp_path):
    c = colosim.Cluster(name="mixed", gpu_types=[colosim.GpuType("V100", 16384), colosim.GpuType("K80", 12288, 0.5)],
                        nodes=[colosim.Node("a", "V100", 8), colosim.Node("b", "K80", 4)])
    c.save(str(tmp_path / "c.textproto"))
    back = colosim.Cluster.load(str(tmp_path / "c.textproto"))
    assert back.total_gpus == 12
    assert [(t.name, t.memory_mib, t.speed) for t in back.gpu_types] == [("V100", 16384, 1.0), ("K80", 12288, 0.5)]


def test_cluster_errors_are_input_errors():
    with pytest.raises(colosim.InputError, match="unknown"):
        colosim.Cluster(gpu_types=[colosim.GpuType("V100", 16384)], nodes=[colosim.Node("a", "H100", 8)])
    with pytest.raises(colosim.InputError):
        colosim.cluster("/nonexistent/cluster.textproto")
    with pytest.raises(colosim.InputError, match="unknown keys"):
        colosim.cluster({"nodes": 2, "gpus": 3})
    assert issubclass(colosim.InputError, colosim.Error) and issubclass(colosim.Error, RuntimeError)


# ----------------------------------------------------------------------------- traces

def test_trace_from_file_matches_csv():
    t = colosim.trace(SEED / "jobs.csv")
    assert len(t) == 8
    cols = t.to_columns()
    raw = pd.read_csv(SEED / "jobs.csv")
    assert cols["id"] == raw["id"].tolist()
    assert np.array_equal(cols["memory_mib"], raw["memory_mib"].to_numpy())
    assert np.array_equal(cols["duration_s"], raw["duration_s"].to_numpy(dtype=float))


def test_trace_from_dataframe_list_of_dicts_and_columns_agree():
    rows = [{"id": "a", "app": "resnet", "submit_s": 0.0, "duration_s": 10.5, "gpus": 1, "memory_mib": 1000,
             "gpu_util": 50.0},
            {"id": "b", "app": "bert", "submit_s": 1.25, "duration_s": 20, "gpus": 2, "memory_mib": 2000,
             "gpu_util": 80, "gpu_types": "V100|A100", "feature.batch_size": 32}]
    from_rows = colosim.trace(rows)
    from_df = colosim.trace(pd.DataFrame(rows))
    from_cols = colosim.trace({k: [r.get(k) for r in rows] for k in rows[1]})
    for t in (from_rows, from_df, from_cols):
        c = t.to_columns()
        assert c["id"] == ["a", "b"]
        assert c["submit_s"].tolist() == [0.0, 1.25]
        assert c["gpu_types"] == ["", "V100|A100"]
        assert math.isnan(c["feature.batch_size"][0]) and c["feature.batch_size"][1] == 32


def test_trace_round_trips_through_dataframe_and_files(tmp_path):
    t = colosim.Trace.generate(jobs=50, seed=7, arrival_rate=0.1)
    df = pd.DataFrame(t.to_columns())
    again = colosim.trace(df)
    assert again.to_columns()["id"] == t.to_columns()["id"]
    for ext in ("csv", "pb", "json"):
        path = tmp_path / f"t.{ext}"
        t.save(str(path))
        back = colosim.Trace.load(str(path))
        assert back.to_columns()["submit_s"].tolist() == t.to_columns()["submit_s"].tolist()
        assert back.to_columns()["app"] == t.to_columns()["app"]


def test_trace_generate_is_deterministic_and_sliceable():
    a = colosim.Trace.generate(jobs=30, seed=3, load=0.5, total_gpus=16)
    b = colosim.Trace.generate(jobs=30, seed=3, load=0.5, total_gpus=16)
    assert a.to_columns()["duration_s"].tolist() == b.to_columns()["duration_s"].tolist()
    assert len(a[:10]) == 10 and a[5:7].to_columns()["id"] == a.to_columns()["id"][5:7]
    with pytest.raises(colosim.Error):
        colosim.Trace.generate(jobs=5, load=0.5)  # load needs total_gpus


def test_bad_trace_rows_name_row_and_column():
    rows = [{"id": "a", "app": "x", "submit_s": 0, "duration_s": 1, "gpus": 1},
            {"id": "b", "app": "x", "submit_s": 1, "duration_s": -5, "gpus": 1}]
    with pytest.raises(colosim.InputError) as e:
        colosim.trace(rows)
    assert e.value.line == 2 and e.value.field == "duration_s" and "negative" in e.value.problem
    unsorted = [dict(rows[0], submit_s=5), dict(rows[1], duration_s=1)]
    with pytest.raises(colosim.InputError, match="submit"):
        colosim.trace(unsorted)
    with pytest.raises(colosim.InputError, match="unknown column"):
        colosim.trace([dict(rows[0], colour="red")])
    with pytest.raises(colosim.InputError, match="missing column"):
        colosim.trace([{"id": "a"}])
    with pytest.raises(colosim.InputError, match="not an integer"):
        colosim.trace([dict(rows[0], gpus=1.5)])
    with pytest.raises(colosim.InputError, match="id"):
        colosim.trace([rows[0], dict(rows[1], id="a", duration_s=1)])


def test_issue9_same_bad_row_same_error_through_csv_json_and_python(tmp_path):
    good = {"id": "a", "app": "x", "submit_s": 0, "duration_s": 1, "gpus": 1}
    cases = [  # (bad field, value, CSV/Python column, .json field, problem)
        ("gpus", -1, "gpus", None, "must be at least 0 (0: a CPU-only job), got -1"),
        ("memory_mib", -5, "memory_mib", "memory_mib", "negative (-5)"),
        ("duration_s", 1e300, "duration_s", "duration", "too large (over 71 years)"),
        ("priority", 4294967297, "priority", None, "4294967297 is out of range"),  # issue 10 #11
    ]
    for column, value, field, json_field, problem in cases:
        bad = dict(good, id="b", submit_s=1, **{column: value})
        header = ["id", "app", "submit_s", "duration_s", "gpus", "memory_mib", "priority"]
        csv = tmp_path / "t.csv"
        csv.write_text(",".join(header) + "\n" + "\n".join(
            ",".join(str(row.get(k, 0)) for k in header) for row in (good, bad)) + "\n")
        errors = []
        for source in (csv, [good, bad], pd.DataFrame([dict(good, memory_mib=0, priority=0), bad])):
            with pytest.raises(colosim.InputError) as e:
                colosim.trace(source)
            errors.append((e.value.line, e.value.field, e.value.problem))
        assert errors[0] == (3, field, problem)  # the CSV line: header, then row 1
        assert errors[1] == errors[2] == (2, field, problem)  # the row
        if json_field:
            js = tmp_path / "t.json"
            job = {"id": "b", "app": "x", "submit": 1, "duration": 1, "gpus": 1,
                   {"duration_s": "duration"}.get(column, column): value}
            js.write_text('{"jobs": [{"id": "a", "app": "x", "gpus": 1}, ' + json.dumps(job) + "]}")
            with pytest.raises(colosim.InputError) as e:
                colosim.trace(js)
            assert (e.value.line, e.value.field, e.value.problem) == (2, json_field, problem)


def test_issue10_empty_traces_are_errors_unless_allowed(tmp_path):
    csv = tmp_path / "empty.csv"
    csv.write_text("id,app,submit_s,duration_s,gpus\n")
    with pytest.raises(colosim.InputError, match="no jobs"):
        colosim.Trace.load(str(csv))
    assert len(colosim.Trace.load(str(csv), allow_empty=True)) == 0
    columns = {"id": [], "app": [], "submit_s": [], "duration_s": [], "gpus": []}
    with pytest.raises(colosim.InputError, match="no jobs"):
        colosim.Trace.from_columns("cols", columns)
    assert len(colosim.Trace.from_columns("cols", columns, allow_empty=True)) == 0


def test_importers_are_listed():
    names = [i["name"] for i in colosim.importers()]
    assert "alibaba-gpu-v2023-openb" in names


def test_import_alibaba_trace():
    pods = shared_data("alibaba-gpu-v2023-openb/openb_pod_list_default.csv")
    nodes = shared_data("alibaba-gpu-v2023-openb/openb_node_list_gpu_node.csv")
    trace, cluster, notes = colosim.import_trace("alibaba-gpu-v2023-openb", pods, [nodes])
    assert len(trace) > 1000
    assert cluster is not None and cluster.total_gpus > 100
    assert any("pods" in n for n in notes)


# ----------------------------------------------------------------------------- interference

def test_interference_from_path_dict_and_dataframe_agree():
    table = pd.read_csv(SEED / "slowdowns.csv")
    from_path = colosim.interference(SEED / "slowdowns.csv")
    from_dict = colosim.interference({(v, a): s for v, a, s in table.itertuples(index=False)})
    from_df = colosim.interference(table)
    apps = ["LAMMPS", "GROMACS", "TensorFlow", "QMCPACK"]
    m = from_path.matrix(apps)
    assert np.array_equal(m, from_dict.matrix(apps)) and np.array_equal(m, from_df.matrix(apps))
    # slowdowns.csv: LAMMPS beside TensorFlow is 1.110 (utilisation sum 23 + 88 = 111%).
    assert from_path.slowdown("LAMMPS", ["TensorFlow"]) == pytest.approx(1.11)
    assert from_path.slowdown("LAMMPS", []) == 1.0
    # Multiplicative composition (default): 1.11 * 1.11 beside two TensorFlow jobs.
    assert from_path.slowdown("LAMMPS", ["TensorFlow", "TensorFlow"]) == pytest.approx(1.11 * 1.11)
    additive = colosim.interference(SEED / "slowdowns.csv", composition="additive")
    assert additive.slowdown("LAMMPS", ["TensorFlow", "TensorFlow"]) == pytest.approx(1.22)


def test_interference_none_unknown_pairs_and_infeasible():
    assert colosim.interference(None).kind == "none"
    assert colosim.interference("none").slowdown("a", ["b"]) == 1.0
    table = colosim.interference({("a", "b"): 1.5}, infeasible=[("a", "c")])
    with pytest.raises(colosim.SimulationError, match="b"):
        table.slowdown("b", ["a"])
    assert not table.feasible("a", "c") and table.feasible("a", "b")
    lenient = colosim.interference({("a", "b"): 1.5}, unknown_pair_slowdown=1.2)
    assert lenient.slowdown("b", ["a"]) == pytest.approx(1.2)
    m = table.matrix(["a", "b"])
    assert m[0, 1] == 1.5 and math.isnan(m[1, 0])
    with pytest.raises(colosim.InputError):
        colosim.interference({("a", "b"): -1.0})
    with pytest.raises(colosim.InputError):
        colosim.interference("/nonexistent/pairs.csv")


def test_calibrated_model_requires_calibrated_kind():
    with pytest.raises(colosim.Error, match="not a calibrated"):
        colosim.interference("none").predict_pair("a", "b")


def test_calibration_from_a_small_pair_csv(tmp_path):
    # A user's pair CSV: 4 applications, all ordered pairs measured on one GPU type.
    apps = ["a", "b", "c", "d"]
    util = {"a": 30, "b": 60, "c": 90, "d": 45}
    lines = ["victim,aggressor,slowdown,gpu_type"]
    for v in apps:
        for a in apps:
            lines.append(f"{v},{a},{max(1.0, (util[v] + util[a]) / 100):.3f},V100")
    path = tmp_path / "pairs.csv"
    path.write_text("\n".join(lines) + "\n")
    data = colosim.load_interference_data(path)
    assert sorted(data.app_names()) == apps and len(data) > 0
    model = colosim.calibrate(data, ranks=[0, 1], factor_lambdas=[0.1], inner_folds=2, iterations=10)
    assert model.kind == "calibrated" and sorted(model.apps) == apps
    s, source = model.predict_pair("c", "b", "V100")
    assert source == "measured" and s == pytest.approx(1.5)
    assert model.fitted_pair("c", "b", "V100") >= 1.0
    measured = colosim.measured_matrix(data, "V100")
    assert measured.loc["c", "b"] == pytest.approx(1.5)
    model.save(str(tmp_path / "model.pb"))
    again = colosim.interference(tmp_path / "model.pb")
    assert again.kind == "calibrated" and again.predict_pair("c", "b", "V100")[0] == pytest.approx(s)


def test_calibration_on_gavel_data():
    path = shared_data("gavel-colocation/simulation_throughputs.json")
    data = colosim.load_interference_data(path)
    assert len(data.app_names()) >= 20
    model = colosim.calibrate(data, ranks=[2], factor_lambdas=[0.1], shared_factor_lambdas=[float("inf")],
                              inner_folds=2, iterations=10)
    gpu = data.gpu_types()[0]
    measured = colosim.measured_matrix(data, gpu)
    v, a = next((v, a) for v, a in measured.stack().index if v != a)  # self-pairs are averaged
    assert model.predict_pair(v, a, gpu)[0] == pytest.approx(measured.loc[v, a], rel=1e-9)
