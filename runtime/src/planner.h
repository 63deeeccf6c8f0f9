// Arena planning: every activation tensor gets a 64-byte aligned offset in one
// arena; tensors whose lifetimes (first..last op step in execution order)
// overlap never share bytes. Greedy by size, largest first, lowest fitting
// offset. Graph inputs and outputs live for the whole run.
#pragma once

#include "dyad/dyad.h"
#include "runtime/src/model.h"

namespace dyad {
namespace rt {

dyad_status plan_arena(const Model& model, ArenaPlan* plan);

}  // namespace rt
}  // namespace dyad
