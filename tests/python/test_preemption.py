"""Issue 11: preemption from Python: the built-in preempting policies, the new per-job columns
and summary metrics, and a preempting policy written in Python with the same API as C++."""
from __future__ import annotations

import pandas as pd
import pytest

import colosim

ONE_GPU = colosim.Cluster.uniform(nodes=1, gpus_per_node=1, gpu_type="G", memory_mib=16000)


def jobs(*rows):
    return colosim.trace(pd.DataFrame(
        [{"id": i, "app": "x", "submit_s": s, "duration_s": d, "gpus": 1, "memory_mib": 1000, "priority": p}
         for i, s, d, p in rows]))


def test_priority_preemption_with_suspend_resume_and_lost_work():
    # Worked out in tests/test_preemption.cc: b (priority 5) evicts a at 25 s; 5 s of a's work is
    # lost (checkpoints every 10 s), a checkpoints until 29, b runs 29-49, a restores until 55
    # and ends at 135.
    result = colosim.run(ONE_GPU, jobs(("a", 0, 100, 0), ("b", 25, 20, 5)), "none", "priority-preemption",
                         suspend_delay_s=4, resume_delay_s=6, checkpoint_interval_s=10)
    a = result.jobs.set_index("id").loc["a"]
    assert (a.end_s, a.preemptions, a.suspended_s, a.lost_gpu_s, a.attained_gpu_s) == (135, 1, 30, 15, 115)
    assert a.slowdown == pytest.approx(1.0)
    assert a.ftf_rho == pytest.approx(1.35)
    assert result.summary["preemptions"] == 1
    assert result.summary["lost_gpu_time_share"] == pytest.approx(15 / 135)
    assert result.stats["queue_order"] == "priority"  # the policy's own, as none was named


def test_per_application_delays_and_bad_values_are_errors():
    with pytest.raises(colosim.Error, match="per_app_preemption_delays"):
        colosim.run(ONE_GPU, jobs(("a", 0, 1, 0)), "none", "priority-preemption", per_app_preemption_delays="x=1")
    with pytest.raises(colosim.Error, match="suspend_delay_s"):
        colosim.run(ONE_GPU, jobs(("a", 0, 1, 0)), "none", "priority-preemption", suspend_delay_s=-1)
    result = colosim.run(ONE_GPU, jobs(("a", 0, 100, 0), ("b", 25, 20, 5)), "none", "priority-preemption",
                         suspend_delay_s=4, per_app_preemption_delays="x=0/0")
    assert result.jobs.set_index("id").loc["b", "start_s"] == 25


class RoundRobin(colosim.Policy):
    """LAS with a quantum from Python: the queue order's rank steps wake the policy, which displaces
    the last running job for an earlier-ranked pending one (as tiresias:ties=arrival does)."""
    preempts = True
    queue_order = "las:quantum=10"

    def schedule(self, pass_):
        for job in pass_.pending:
            if not pass_.fits(job, 0):
                running = pass_.running_last_first(limit=1)
                if not running or not running[0].outranked_by(job):
                    continue
                pass_.preempt(running[0], "quantum over")
            if pass_.fits(job, 0):
                pass_.place(job, [0])


def test_a_python_preempting_policy_takes_turns_like_the_cpp_one():
    trace = jobs(("a", 0, 30, 0), ("b", 5, 20, 0))
    py = colosim.run(ONE_GPU, trace, "none", RoundRobin())
    cpp = colosim.run(ONE_GPU, trace, "none", "tiresias:ties=arrival", queue_order="las:quantum=10")
    assert py.stats["queue_order"] == "las:quantum=10"
    got = py.jobs.set_index("id")
    assert got.loc["a", "end_s"] == 50 and got.loc["b", "end_s"] == 40
    assert (got.loc["a", "preemptions"], got.loc["b", "preemptions"]) == (2, 1)
    columns = ["start_s", "end_s", "preemptions", "suspended_s", "attained_gpu_s"]
    assert got[columns].equals(cpp.jobs.set_index("id")[columns])


def test_python_policy_preempting_what_is_not_running_is_a_policy_error():
    class Bad(colosim.Policy):
        preempts = True

        def schedule(self, pass_):
            for job in pass_.pending:
                pass_.preempt(job.slot)

    with pytest.raises(colosim.PolicyError, match="which was not running when the pass began"):
        colosim.run(ONE_GPU, jobs(("a", 0, 1, 0)), "none", Bad())

    class NotABool(colosim.Policy):
        preempts = "yes"

        def schedule(self, pass_):
            pass

    with pytest.raises(TypeError, match="preempts must be a bool"):
        colosim.run(ONE_GPU, jobs(("a", 0, 1, 0)), "none", NotABool())


class Mover(colosim.Policy):
    """Gandiva's migration from Python: idle GPUs first, else time-slicing GPU 0; when GPU 1 empties,
    the job that joined GPU 0 last moves there (preempted, then placed in the core's next pass)."""
    rearranges = True

    def schedule(self, pass_):
        cluster = pass_.cluster
        for job in pass_.pending:
            idle = [g for g in cluster.empty_gpus() if pass_.fits(job, g)]
            if idle:
                pass_.place(job, [idle[0]])
            else:
                pass_.set_time_sliced(0, True)
                pass_.place(job, [0])
        if self.rearranges and len(cluster.residents(0)) >= 2 and cluster.is_empty(1):
            pass_.preempt(cluster.residents(0)[-1], "moved to the idle GPU 1")


class Stayer(Mover):
    rearranges = False


def test_a_python_policy_that_rearranges_moves_a_job_when_a_gpu_frees():
    # a and b take GPUs 0 and 1, c time-slices GPU 0 with a (each at half speed). b ends at 100 s:
    # c (50 s done) moves to GPU 1, and both end at 150 s. Without the pass after b's end, 200 s.
    two_gpus = colosim.Cluster.uniform(nodes=1, gpus_per_node=2, gpu_type="G", memory_mib=16000)
    trace = jobs(("a", 0, 100, 0), ("b", 0, 100, 0), ("c", 0, 100, 0))
    options = dict(gpu_sharing="stack", time_slice_s=1)
    moved = colosim.run(two_gpus, trace, "none", Mover(), **options).jobs.set_index("id")
    assert (moved.loc["a", "end_s"], moved.loc["c", "end_s"]) == (150, 150)
    assert (moved.loc["a", "preemptions"], moved.loc["c", "preemptions"]) == (0, 1)
    stayed = colosim.run(two_gpus, trace, "none", Stayer(), **options).jobs.set_index("id")
    assert (stayed.loc["a", "end_s"], stayed.loc["c", "end_s"]) == (200, 200)

    class NotABool(Mover):
        rearranges = 1

    with pytest.raises(TypeError, match="rearranges must be a bool"):
        colosim.run(two_gpus, trace, "none", NotABool(), **options)
