// tiresias: the Tiresias scheduler (Gu et al., NSDI '19) as its simulator's dlas-gpu scheme runs
// it: jobs ranked by 2D-LAS (the run's queue order, 2d-las unless another is named), each pending
// job in rank order placed first-fit (consolidated, as the paper places skewed models), and when
// it does not fit, running jobs in a strictly lower queue are preempted from the last upwards
// until one node (or enough whole nodes) has room. A job that cannot start is skipped and those
// behind it may start (the simulator's greedy walk). Differences from that simulator are listed
// in docs/scheduling.md.
#include <memory>

#include "colosim/errors.h"
#include "colosim/policies/builtin.h"
#include "colosim/eviction.h"
#include "colosim/policies/first_fit.h"

namespace colosim {
namespace {

class Tiresias final : public PlacementPolicy {
 public:
  explicit Tiresias(bool displace_on_ties) : displace_on_ties_(displace_on_ties) {}

  std::string preferred_queue_order() const override { return "2d-las"; }
  bool preempts() const override { return true; }

  void begin_run(const ClusterView&) override { reservations_ = {}; }
  void schedule(SchedulingPass& pass) override {
    preempting_pass(
        pass, reservations_, [&](const JobSpec& job) { return first_fit_gang(pass, job); },
        [&](const PendingJob& p) {
          return victims_from_the_last(pass, p, [&](const RunningJob& r) {
            return displace_on_ties_ ? r.outranked_by(p) : p.rank < r.rank;
          });
        },
        [](const PendingJob& p) { return "for job '" + p.spec->id + "', which ranks before it"; });
  }

 private:
  bool displace_on_ties_;
  PreemptionReservations reservations_;
};

}  // namespace

void register_tiresias(PolicyRegistry& registry) {
  registry.add({"tiresias", "Tiresias: 2D-LAS ranks, first-fit placement, preempts jobs in lower queues for higher ones",
                {{"ties", "keep-running",
                  "a pending job of equal rank: keep-running (Tiresias: only a lower queue is preempted) or arrival "
                  "(the earlier arrival displaces, a round robin under las)"}},
                [](const PolicyParams& params) -> std::shared_ptr<PlacementPolicy> {
                  const std::string& ties = params.text("ties");
                  if (ties != "keep-running" && ties != "arrival")
                    throw Error(params.owner() + ": parameter 'ties' must be keep-running or arrival, got '" + ties + "'");
                  return std::make_shared<Tiresias>(ties == "arrival");
                }});
}

}  // namespace colosim
