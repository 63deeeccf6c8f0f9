// The op registry: schema union type -> op family. Add a line per new op.
#include "runtime/ops/op.h"

namespace dyad {
namespace rt {

extern const OpKernel kConv2DOp, kTransposeConv2DOp, kFullyConnectedOp, kMatMulOp, kAddOp,
    kSubOp, kMulOp, kMaxPoolOp, kAveragePoolOp, kMeanOp, kConcatOp, kSplitOp, kSliceOp,
    kReshapeOp, kTransposeOp, kPadOp, kResizeOp, kLutOp, kSoftmaxOp, kLayerNormOp,
    kRequantizeOp, kPReluOp;

namespace {
const OpKernel* const kRegistry[] = {
    &kConv2DOp,  &kTransposeConv2DOp, &kFullyConnectedOp, &kMatMulOp,    &kAddOp,
    &kSubOp,     &kMulOp,             &kMaxPoolOp,        &kAveragePoolOp, &kMeanOp,
    &kConcatOp,  &kSplitOp,           &kSliceOp,          &kReshapeOp,   &kTransposeOp,
    &kPadOp,     &kResizeOp,          &kLutOp,            &kSoftmaxOp,   &kLayerNormOp,
    &kRequantizeOp, &kPReluOp,
};
}  // namespace

const OpKernel* find_op_kernel(fb::OperatorOptions type) {
  for (const OpKernel* k : kRegistry) {
    if (k->type == type) return k;
  }
  return nullptr;
}

const char* op_type_name(fb::OperatorOptions type) {
  const OpKernel* k = find_op_kernel(type);
  return k != nullptr ? k->name : "unknown";
}

}  // namespace rt
}  // namespace dyad
