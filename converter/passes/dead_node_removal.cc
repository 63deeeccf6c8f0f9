// Dead-node removal: keep only nodes that some graph output depends on.
#include <set>

#include "converter/passes/passes.h"

namespace dyad::convert {

int RemoveDeadNodes(Graph& g) {
  std::set<std::string> needed(g.outputs.begin(), g.outputs.end());
  std::vector<bool> live(g.nodes.size(), false);
  for (int k = static_cast<int>(g.nodes.size()) - 1; k >= 0; --k) {
    for (const auto& o : g.nodes[k].outputs)
      if (!o.empty() && needed.count(o)) live[k] = true;
    if (live[k]) needed.insert(g.nodes[k].inputs.begin(), g.nodes[k].inputs.end());
  }
  int removed = 0;
  std::vector<Node> kept;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    if (live[k]) {
      kept.push_back(std::move(g.nodes[k]));
    } else {
      for (const auto& o : g.nodes[k].outputs) g.values.erase(o);
      ++removed;
    }
  }
  g.nodes = std::move(kept);
  g.PruneUnusedConstants();
  return removed;
}

}  // namespace dyad::convert
