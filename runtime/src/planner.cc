#include "runtime/src/planner.h"

#include <algorithm>
#include <vector>

#include "runtime/src/error.h"
#include "schema/format.h"

namespace dyad {
namespace rt {
namespace {

struct Interval {
  int32_t tensor;
  int32_t first, last;  // op steps, inclusive
  uint64_t size;        // rounded up to 64
};

struct Placed {
  uint64_t offset, end;
};

}  // namespace

dyad_status plan_arena(const Model& m, ArenaPlan* plan) {
  const int32_t steps = static_cast<int32_t>(m.order.size());
  std::vector<int32_t> first(m.tensors.size(), -1), last(m.tensors.size(), -1);
  auto touch = [&](int32_t t, int32_t step) {
    const size_t i = static_cast<size_t>(t);
    if (first[i] < 0 || step < first[i]) first[i] = step;
    if (step > last[i]) last[i] = step;
  };
  for (int32_t step = 0; step < steps; ++step) {
    const OpInfo& op = m.ops[static_cast<size_t>(m.order[static_cast<size_t>(step)])];
    for (int32_t t : op.inputs) {
      if (t >= 0) touch(t, step);
    }
    for (int32_t t : op.outputs) touch(t, step);
  }
  std::vector<Interval> intervals;
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    const TensorInfo& t = m.tensors[i];
    if (t.constant != nullptr || !t.used) continue;
    Interval iv{static_cast<int32_t>(i), first[i], last[i], align_up_64(t.bytes)};
    if (t.graph_input || t.graph_output || iv.first < 0) {
      iv.first = 0;
      iv.last = steps;
    }
    intervals.push_back(iv);
  }
  std::sort(intervals.begin(), intervals.end(), [](const Interval& a, const Interval& b) {
    return a.size != b.size ? a.size > b.size : a.tensor < b.tensor;
  });
  plan->offsets.assign(m.tensors.size(), -1);
  plan->arena_bytes = 0;
  std::vector<Interval> done;
  std::vector<Placed> busy;
  for (const Interval& iv : intervals) {
    busy.clear();
    for (const Interval& d : done) {
      if (d.first <= iv.last && iv.first <= d.last) {
        const uint64_t off = static_cast<uint64_t>(plan->offsets[static_cast<size_t>(d.tensor)]);
        busy.push_back({off, off + d.size});
      }
    }
    std::sort(busy.begin(), busy.end(),
              [](const Placed& a, const Placed& b) { return a.offset < b.offset; });
    uint64_t offset = 0;
    for (const Placed& b : busy) {
      if (b.offset >= offset + iv.size) break;  // fits in the gap before b
      offset = std::max(offset, b.end);
    }
    plan->offsets[static_cast<size_t>(iv.tensor)] = static_cast<int64_t>(offset);
    plan->arena_bytes = std::max(plan->arena_bytes, offset + iv.size);
    done.push_back(iv);
  }
  return DYAD_OK;
}

}  // namespace rt
}  // namespace dyad
