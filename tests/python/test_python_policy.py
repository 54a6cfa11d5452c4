"""Placement policies written in Python: the trampoline, read-only views, errors and lifetimes
(issue 5)."""
from __future__ import annotations

import gc
import weakref

import pandas as pd
import pytest

import colosim


class PyExclusive(colosim.Policy):
    """Python copy of the built-in exclusive policy (policies/exclusive.cc)."""

    name = "py-exclusive"

    def schedule(self, pass_):
        cluster = pass_.cluster
        for job in pass_.pending:
            if len(cluster.empty_gpus()) < job.gpus:
                continue
            if pass_.needs_several_nodes(job):
                gpus = pass_.gang_on_whole_nodes(job)
            else:
                gpus = pass_.gang_on_one_node(job, "spread", usable=lambda g: cluster.is_empty(g) and pass_.fits(job, g),
                                              score=float)
            if gpus:
                pass_.place(job, gpus)


class FirstFit(colosim.Policy):
    """First GPU that fits, lowest index first; gangs as the library's helpers place them."""

    def __init__(self, reverse=False):
        super().__init__()
        self.reverse = reverse
        self.calls = 0

    def schedule(self, pass_):
        self.calls += 1
        order = range(pass_.cluster.gpu_count)
        if self.reverse:
            order = reversed(order)
        order = list(order)
        for job in pass_.pending:
            if job.gpus > 1:
                several = pass_.needs_several_nodes(job)
                gpus = pass_.gang_on_whole_nodes(job) if several else pass_.gang_on_one_node(job, "pack")
                if gpus:
                    pass_.place(job, gpus)
                continue
            for g in order:
                if pass_.fits(job, g):
                    pass_.place(job, [g], note=f"first fit at {pass_.now_s:.0f}s")
                    break


@pytest.fixture
def small():
    cluster = colosim.Cluster.uniform(nodes=2, gpus_per_node=4, gpu_type="V100", memory_mib=16384)
    trace = colosim.Trace.generate(jobs=150, seed=4, load=1.3, total_gpus=8)
    return cluster, trace


def test_python_copy_of_exclusive_matches_the_builtin(small):
    cluster, trace = small
    builtin = colosim.run(cluster, trace, "none", "exclusive").jobs
    python = colosim.run(cluster, trace, "none", PyExclusive())
    assert python.policy == "py-exclusive"
    pd.testing.assert_frame_equal(python.jobs, builtin)


def test_python_policy_sees_views_and_places(seed_paper):
    seen = {}

    class Inspect(colosim.Policy):
        def schedule(self, pass_):
            c = pass_.cluster
            seen.setdefault("gpus", c.gpu_count)
            seen.setdefault("type", c.gpu_type(0))
            seen.setdefault("capacity", c.capacity_mib(0))
            seen.setdefault("pending", [(p.id, p.app, p.gpus, p.memory_mib) for p in pass_.pending])
            seen.setdefault("mode", pass_.memory_mode)
            for p in pass_.pending:
                g = c.least_free_fitting(p.memory_mib)
                if g is not None and pass_.fits(p, g):
                    pass_.place(p, [g])
                    assert pass_.is_placed(p)
                    assert p.slot in c.residents(g) and p.app in c.resident_apps(g)
                    assert pass_.job(p.slot).id == p.id
                    assert pass_.slowdown(p, g) >= 1.0
            seen["free"] = c.free_mib_array().tolist()
            seen["rng"] = pass_.rng.below(10)

    r = colosim.run(seed_paper["cluster"], seed_paper["trace"], seed_paper["interference"], Inspect())
    assert seen["gpus"] == 4 and seen["type"] == "TitanXp" and seen["capacity"] == 12288
    assert seen["pending"][0] == ("LAMMPS-1", "LAMMPS", 1, 8499)
    assert seen["mode"] == "enforce" and 0 <= seen["rng"] < 10
    assert r.summary["finished"] == 8


def test_exception_inside_policy_names_policy_and_time(small):
    cluster, trace = small

    class Broken(FirstFit):
        name = "broken"

        def schedule(self, pass_):
            if self.calls == 2:
                raise ValueError("deliberate failure")
            super().schedule(pass_)

    with pytest.raises(colosim.PolicyError) as e:
        colosim.run(cluster, trace, "none", Broken())
    message = str(e.value)
    assert "'broken'" in message and "simulated time" in message and "ValueError: deliberate failure" in message
    assert isinstance(e.value.__cause__, ValueError) and e.value.policy == "broken"
    assert e.value.time_s > 0 and f"{e.value.time_s:.6f}" in message
    # The traceback of the original reaches into the policy's code.
    tb = e.value.__cause__.__traceback__
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert "schedule" in frames


def test_invalid_placements_are_clear_policy_errors(seed_paper):
    args = (seed_paper["cluster"], seed_paper["trace"], seed_paper["interference"])
    stack = {"gpu_sharing": "stack"}  # the paper's jobs state no share; stacked, memory limits

    class Nowhere(colosim.Policy):
        def schedule(self, pass_):
            pass_.place(pass_.pending[0], [99])

    class Crowd(colosim.Policy):  # every job on GPU 0: LAMMPS 8499 MiB twice exceeds 12288 MiB
        def schedule(self, pass_):
            for p in pass_.pending:
                pass_.place(p, [0])

    class Twice(colosim.Policy):
        def schedule(self, pass_):
            p = pass_.pending[0]
            pass_.place(p, [0])
            pass_.place(p, [1])

    class WrongGang(colosim.Policy):
        def schedule(self, pass_):
            pass_.place(pass_.pending[0], [0, 1])

    with pytest.raises(colosim.PolicyError, match="GPU 99, which does not exist"):
        colosim.run(*args, Nowhere())
    with pytest.raises(colosim.PolicyError, match="does not fit on GPU 0"):
        colosim.run(*args, Crowd(), **stack)
    with pytest.raises(colosim.PolicyError, match="exceeds the GPU share of GPU 0: needs 1000/1000, 1000/1000 taken"):
        colosim.run(*args, Crowd())  # by default each takes the whole GPU
    with pytest.raises(colosim.PolicyError, match="placed twice"):
        colosim.run(*args, Twice())
    with pytest.raises(colosim.PolicyError, match="needs 1 GPU"):
        colosim.run(*args, WrongGang())


def test_views_out_of_range_raise_index_error(seed_paper):
    class OutOfRange(colosim.Policy):
        def schedule(self, pass_):
            pass_.cluster.free_mib(4)

    with pytest.raises(colosim.PolicyError, match="IndexError: GPU 4 does not exist"):
        colosim.run(seed_paper["cluster"], seed_paper["trace"], seed_paper["interference"], OutOfRange())


def test_views_kept_after_the_pass_raise_instead_of_dangling(seed_paper):
    kept = []

    class Keeper(FirstFit):
        def schedule(self, pass_):
            kept.append((pass_, pass_.cluster, pass_.pending[0] if pass_.pending else None))
            super().schedule(pass_)

    colosim.run(seed_paper["cluster"], seed_paper["trace"], seed_paper["interference"], Keeper())
    pass_, cluster, pending = kept[0]
    for stale in (lambda: pass_.now, lambda: cluster.gpu_count, lambda: pending.id, lambda: pass_.pending):
        with pytest.raises(colosim.Error, match="policy call .* that is over"):
            stale()


def test_pending_job_from_another_pass_cannot_be_placed(small):
    cluster, trace = small

    class Hoarder(colosim.Policy):
        def __init__(self):
            super().__init__()
            self.old = None

        def schedule(self, pass_):
            if self.old is None and pass_.pending:
                self.old = pass_.pending[0]
                return
            pass_.place(self.old, [0])

    with pytest.raises(colosim.PolicyError, match="scheduling pass that is over|another scheduling pass"):
        colosim.run(cluster, trace, "none", Hoarder())


def test_policy_without_schedule_is_a_policy_error(seed_paper):
    class Lazy(colosim.Policy):
        pass

    with pytest.raises(colosim.PolicyError, match="Lazy"):
        colosim.run(seed_paper["cluster"], seed_paper["trace"], seed_paper["interference"], Lazy())


def test_garbage_collected_policy_leaves_nothing_dangling(small):
    cluster, trace = small
    policy = FirstFit()
    ref = weakref.ref(policy)
    first = colosim.run(cluster, trace, "none", policy)
    assert policy.calls > 0
    del policy
    gc.collect()
    assert ref() is None, "the simulator must not keep the policy alive after the run"
    # Everything still works, and a policy that only the run references stays alive during it.
    again = colosim.run(cluster, trace, "none", FirstFit())
    pd.testing.assert_frame_equal(first.jobs, again.jobs)


def test_registered_policy_lives_while_the_simulator_uses_it(small):
    cluster, trace = small
    refs = []

    class Collecting(FirstFit):
        """First fit that collects garbage at every pass."""

        def __init__(self, reverse=False):
            super().__init__(reverse)
            refs.append(weakref.ref(self))

        def schedule(self, pass_):
            if self.calls < 5:
                gc.collect()  # nothing in Python holds this instance: only the simulator does
            super().schedule(pass_)

    registry = colosim.PolicyRegistry.builtin()
    colosim.register_policy("collecting", Collecting, params={"reverse": (False, "try GPUs from the last")},
                            registry=registry)
    r = colosim.run(cluster, trace[:60], "none", "collecting:reverse=true", registry=registry)
    assert r.summary["jobs"] == 60
    gc.collect()
    assert len(refs) == 1 and refs[0]() is None
    assert "collecting" not in colosim.registry  # registered in the given registry only


def test_register_policy_by_name_with_typed_parameters(small):
    cluster, _ = small
    trace = [{"id": f"j{i}", "app": "x", "submit_s": i, "duration_s": 100, "gpus": 1, "memory_mib": 1000}
             for i in range(3)]
    colosim.register_policy("first-fit-test", FirstFit, params={"reverse": (False, "try GPUs from the last")})
    assert "first-fit-test" in colosim.registry
    info = colosim.registry.info("first-fit-test")
    assert info["description"].startswith("First GPU that fits")
    assert info["params"] == [("reverse", "false", "try GPUs from the last")]
    assert "first-fit-test" in colosim.run.__doc__  # the docstring follows the registry
    # The jobs state no GPU share: stacked, memory decides.
    forward = colosim.run(cluster, trace, "none", "first-fit-test", gpu_sharing="stack").jobs
    backward = colosim.run(cluster, trace, "none", "first-fit-test", policy_params={"reverse": True},
                           gpu_sharing="stack").jobs
    assert forward["gpu_list"].tolist() == ["0", "0", "0"]  # all share GPU 0 (memory allows)
    assert backward["gpu_list"].tolist() == ["7", "7", "7"]
    assert forward["note"].tolist() == ["first fit at 0s", "first fit at 1s", "first fit at 2s"]
    with pytest.raises(colosim.Error, match="registered twice"):
        colosim.register_policy("first-fit-test", FirstFit)
    with pytest.raises(colosim.Error, match="reverse"):
        colosim.run(cluster, trace, "none", "first-fit-test:reverse=maybe")
    with pytest.raises(TypeError):
        colosim.register_policy("not-a-policy", dict)


def test_one_policy_instance_serves_one_run_at_a_time(small):
    cluster, trace = small
    errors = []

    # The outer run's policy is busy; an inner run given the same instance must refuse it.
    class Outer(FirstFit):
        def schedule(self, pass_):
            if not errors:
                try:
                    colosim.run(cluster, trace[:5], "none", self)
                except colosim.Error as e:
                    errors.append(str(e))
            super().schedule(pass_)

    colosim.run(cluster, trace[:20], "none", Outer())
    assert errors and "already in use" in errors[0]


def test_issue_10_3_fifo_starts_the_head_for_a_python_policy_placing_backwards():
    """issue 10 #3: under FIFO the core undoes a placement out of queue order and offers the head
    alone, so a policy with its own order cannot leave an idle GPU idle. One 16,000 MiB GPU; 'a'
    (8,000 MiB) then 'b' (12,000 MiB) at t=0, 100 s each: 'a' runs 0-100 s, 'b' 100-200 s."""

    class Backwards(colosim.Policy):
        def schedule(self, pass_):
            for job in reversed(list(pass_.pending)):
                for g in range(pass_.cluster.gpu_count):
                    if pass_.fits(job, g):
                        pass_.place(job, [g])
                        break

    cluster = colosim.Cluster.uniform(nodes=1, gpus_per_node=1, gpu_type="G", memory_mib=16000)
    jobs = [{"id": "a", "app": "x", "submit_s": 0.0, "duration_s": 100.0, "gpus": 1, "memory_mib": 8000},
            {"id": "b", "app": "x", "submit_s": 0.0, "duration_s": 100.0, "gpus": 1, "memory_mib": 12000}]
    r = colosim.run(cluster, jobs, "none", Backwards(), discipline="fifo").jobs.set_index("id")
    assert list(r["outcome"]) == ["finished", "finished"]
    assert r.loc["a", "start_s"] == 0.0 and r.loc["b", "start_s"] == 100.0 and r.loc["b", "end_s"] == 200.0
