// Internal to reference_exec: op signatures and shared helpers.
#pragma once

#include <string>
#include <vector>

#include "converter/ir/error.h"
#include "converter/ir/graph.h"

namespace dyad::convert::exec {

using Inputs = std::vector<const Tensor*>;
using Outputs = std::vector<Tensor>;
using OpFn = Outputs (*)(const Node&, const Inputs&);

[[noreturn]] inline void Fail(const Node& n, const std::string& what) {
  throw ConvertError(n.Describe() + ": " + what);
}

// Input k, required: fails naming the node if absent.
const Tensor& In(const Node& n, const Inputs& in, size_t k);
// Input k or nullptr when omitted.
inline const Tensor* Opt(const Inputs& in, size_t k) { return k < in.size() ? in[k] : nullptr; }
const Tensor& FloatIn(const Node& n, const Inputs& in, size_t k);

// Normalizes a possibly negative axis against `rank` (fails if out of range).
int64_t NormAxis(const Node& n, int64_t axis, int64_t rank);

// Numpy-style broadcast of two shapes (fails naming the node).
Shape BroadcastShapes(const Node& n, const Shape& a, const Shape& b);
// Strides of `in` viewed in `out`'s rank, 0 on broadcast dimensions.
std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out);
std::vector<int64_t> Strides(const Shape& s);

// Spatial geometry shared by Conv, ConvTranspose and the pools, padded to
// three spatial dims (D, H, W) so one loop nest serves 1-D, 2-D and 3-D.
struct Window {
  int64_t in[3], out[3], k[3], stride[3], dil[3], pad_begin[3], pad_end[3];
};
// Computes kernel geometry, pads (auto_pad included) and output size from the
// node's attributes. `spatial` = input spatial dims; `kernel` from weights or
// kernel_shape. ceil_mode for pools.
Window MakeWindow(const Node& n, const Shape& spatial, const Shape& kernel, bool ceil_mode);

// Registration tables, one per op file.
void RegisterConvOps(void (*reg)(const char*, OpFn));
void RegisterMatmulOps(void (*reg)(const char*, OpFn));
void RegisterElementwiseOps(void (*reg)(const char*, OpFn));
void RegisterPoolOps(void (*reg)(const char*, OpFn));
void RegisterNormOps(void (*reg)(const char*, OpFn));
void RegisterShapeOps(void (*reg)(const char*, OpFn));
void RegisterResizeOps(void (*reg)(const char*, OpFn));

}  // namespace dyad::convert::exec
