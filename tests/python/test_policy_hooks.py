"""The optional hooks of a Python policy, may_fit, gpu_room and waits_only_for_capacity (issue 9):
overridden, the core asks Python and acts as libsim/include/colosim/policy.h says; left alone,
the C++ defaults apply."""
from __future__ import annotations

import pandas as pd
import pytest

import colosim

from test_python_policy import FirstFit, PyExclusive


class HookedExclusive(PyExclusive):
    """PyExclusive with the hooks of the built-in exclusive policy (policies/exclusive.cc), written
    for uniform clusters (every node has cluster.gpus_on(0) GPUs)."""

    def __init__(self):
        super().__init__()
        self.schedule_calls = 0
        self.room_calls = 0
        self.scheduled_without_room = 0

    def schedule(self, pass_):
        self.schedule_calls += 1
        if not pass_.cluster.empty_gpus():
            self.scheduled_without_room += 1
        super().schedule(pass_)

    def waits_only_for_capacity(self):
        return True

    def may_fit(self, cluster, job, memory_mode):
        nodes = cluster.nodes_by_empty_gpus()
        if nodes and job.gpus <= nodes[-1][0]:
            return True
        return job.gpus > cluster.gpus_on(0) and len(cluster.empty_gpus()) >= job.gpus

    def gpu_room(self, cluster, memory_mode):
        self.room_calls += 1
        return len(cluster.empty_gpus())


@pytest.fixture
def small():
    cluster = colosim.Cluster.uniform(nodes=2, gpus_per_node=4, gpu_type="V100", memory_mib=16384)
    trace = colosim.Trace.generate(jobs=150, seed=4, load=1.3, total_gpus=8)
    return cluster, trace


def test_issue_9_hooks_from_python_match_the_builtin_policy_pass_for_pass(small):
    cluster, trace = small
    builtin = colosim.run(cluster, trace, "none", "exclusive")
    plain = colosim.run(cluster, trace, "none", PyExclusive())
    policy = HookedExclusive()
    hooked = colosim.run(cluster, trace, "none", policy)
    pd.testing.assert_frame_equal(hooked.jobs, builtin.jobs)
    # Same hooks, same scheduling passes as the C++ policy: the core skipped exactly the same ones.
    assert hooked.stats == builtin.stats
    assert policy.schedule_calls == builtin.stats["passes"]
    assert plain.stats["passes"] > builtin.stats["passes"]
    # gpu_room() == 0 (no idle GPU) means schedule() is not called.
    assert policy.room_calls > policy.schedule_calls and policy.scheduled_without_room == 0


def test_issue_9_gpu_room_zero_means_schedule_is_never_called(small):
    cluster, trace = small

    class NoRoom(FirstFit):
        def gpu_room(self, cluster, memory_mode):
            assert memory_mode == "enforce" and cluster.gpu_count == 8
            return 0

    policy = NoRoom()
    result = colosim.run(cluster, trace[:10], "none", policy)
    assert policy.calls == 0
    # Every job is still reported once, as never started.
    assert len(result.jobs) == 10 and result.summary["never_started"] == 10


def test_issue_9_may_fit_false_keeps_a_job_out_of_every_pass(small):
    cluster, trace = small
    offered = []

    class SingleGpuOnly(FirstFit):
        def may_fit(self, cluster, job, memory_mode):
            return job.gpus == 1

        def schedule(self, pass_):
            offered.extend(job.gpus for job in pass_.pending)
            super().schedule(pass_)

    result = colosim.run(cluster, trace, "none", SingleGpuOnly())
    gangs = int((result.jobs["gpus"] > 1).sum())
    assert gangs > 0 and set(offered) == {1}
    assert result.summary["never_started"] == gangs


def test_issue_9_waits_only_for_capacity_offers_only_new_arrivals(small):
    cluster, trace = small

    class Counting(PyExclusive):
        def __init__(self, waits):
            super().__init__()
            self.waits = waits
            self.offered = 0

        def waits_only_for_capacity(self):
            return self.waits

        def schedule(self, pass_):
            self.offered += len(pass_.pending)
            super().schedule(pass_)

    waiting, looking = Counting(True), Counting(False)
    a = colosim.run(cluster, trace, "none", waiting)
    b = colosim.run(cluster, trace, "none", looking)
    # Exclusive starts a job whenever enough GPUs are idle, so a job it leaves waits for capacity:
    # the same answer with fewer offers. (Not first fit: its pending jobs lack memory, which the
    # default may_fit already filters out.)
    pd.testing.assert_frame_equal(a.jobs, b.jobs)
    assert waiting.offered < looking.offered and a.stats["passes"] < b.stats["passes"]


def test_issue_9_hooks_left_alone_keep_the_cpp_defaults(small):
    cluster, trace = small
    seen = {}

    class Asks(FirstFit):
        def schedule(self, pass_):
            if not seen:
                job = pass_.pending[0]
                seen["may_fit"] = self.may_fit(pass_.cluster, job, "enforce")
                seen["room"] = self.gpu_room(pass_.cluster, "enforce")
                seen["waits"] = self.waits_only_for_capacity()
            super().schedule(pass_)

    plain = colosim.run(cluster, trace, "none", FirstFit())
    asks = colosim.run(cluster, trace, "none", Asks())
    pd.testing.assert_frame_equal(asks.jobs, plain.jobs)
    assert asks.stats == plain.stats
    # libsim/src/policy.cc: an idle cluster fits any job and has unbounded room (int64 max).
    assert seen == {"may_fit": True, "room": 2**63 - 1, "waits": False}


def test_issue_9_super_calls_reach_the_cpp_defaults(small):
    cluster, trace = small

    class Delegates(FirstFit):
        def may_fit(self, cluster, job, memory_mode):
            return super().may_fit(cluster, job, memory_mode)

        def gpu_room(self, cluster, memory_mode):
            return super().gpu_room(cluster, memory_mode)

        def waits_only_for_capacity(self):
            return super().waits_only_for_capacity()

    plain = colosim.run(cluster, trace, "none", FirstFit())
    delegates = colosim.run(cluster, trace, "none", Delegates())
    pd.testing.assert_frame_equal(delegates.jobs, plain.jobs)
    assert delegates.stats == plain.stats


def test_issue_9_a_failing_hook_is_a_policy_error_naming_policy_and_hook(small):
    cluster, trace = small

    class Broken(FirstFit):
        name = "broken-room"

        def gpu_room(self, cluster, memory_mode):
            raise ValueError("deliberate failure")

    with pytest.raises(colosim.PolicyError) as e:
        colosim.run(cluster, trace, "none", Broken())
    assert "'broken-room'" in str(e.value) and "gpu_room()" in str(e.value)
    assert "ValueError: deliberate failure" in str(e.value)
    assert isinstance(e.value.__cause__, ValueError) and e.value.policy == "broken-room" and e.value.time_s is None


@pytest.mark.parametrize("hook, value, message", [
    ("gpu_room", 1.5, "gpu_room() must return an int, got 1.5"),
    ("gpu_room", True, "gpu_room() must return an int, got True"),
    ("may_fit", None, "may_fit() must return a bool, got None"),
    ("waits_only_for_capacity", 1, "waits_only_for_capacity() must return a bool, got 1"),
])
def test_issue_9_a_hook_returning_the_wrong_type_is_a_policy_error(small, hook, value, message):
    cluster, trace = small
    # A subclass, not an instance attribute: pybind11 looks overrides up on the class.
    policy = type("Returns", (FirstFit,), {hook: lambda self, *args: value})()
    with pytest.raises(colosim.PolicyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        colosim.run(cluster, trace, "none", policy)


def test_issue_9_a_hook_that_is_not_a_method_is_a_type_error(small):
    cluster, trace = small

    class Attribute(FirstFit):
        waits_only_for_capacity = True

    with pytest.raises(TypeError, match="waits_only_for_capacity must be a method"):
        colosim.run(cluster, trace, "none", Attribute())


def test_issue_9_views_kept_from_a_hook_raise_afterwards(small):
    cluster, trace = small
    kept = []

    class Keeps(FirstFit):
        def may_fit(self, cluster, job, memory_mode):
            kept.append((cluster, job))
            return True

    colosim.run(cluster, trace[:5], "none", Keeps())
    view, job = kept[0]
    with pytest.raises(colosim.Error, match="policy call .* that is over"):
        view.free_mib(0)
    with pytest.raises(colosim.Error, match="policy call .* that is over"):
        job.gpus
