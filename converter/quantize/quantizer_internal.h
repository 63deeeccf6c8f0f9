// Internal state of one Quantize() call, shared by quantizer.cc (layout,
// parameters, graph inputs/outputs) and quantize_ops.cc (one handler per op).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "converter/ir/error.h"
#include "converter/quantize/quantizer.h"

namespace dyad::convert {

using Perm = std::vector<int>;

struct Stored {
  int32_t tensor = -1;
  Perm perm;  // stored dim k holds IR dim perm[k]
};

class Quantizer {
 public:
  Quantizer(const Graph& g, const std::map<std::string, TensorStats>& stats,
            const std::map<std::string, Range>& ranges, const QuantizeOptions& opt)
      : g_(g), stats_(stats), ranges_(ranges), opt_(opt) {}
  QuantizeResult Run();

  // ---- used by the op handlers ----
  const Graph& g_;
  QModel m_;
  std::map<std::string, QParams> qp_;
  std::map<std::string, Stored> act_;

  [[noreturn]] void Fail(const Node& n, const std::string& what) const {
    throw ConvertError(n.Describe() + ": " + what);
  }
  const Shape& IrShape(const std::string& name) const;
  const QParams& Params(const Node& n, const std::string& name) const;
  // int8 parameters of `name`: its own, or for an int16 tensor (W8A16 mode)
  // the int8 ones its range would have had.
  const QParams& Params8(const Node& n, const std::string& name) const;
  // `name` in `target` layout as an int8 tensor, for ops without int16
  // inputs: itself, or a Requantize of the int16 tensor to Params8.
  int32_t Int8Input(const Node& n, const std::string& name, const Perm& target);
  const Stored& Get(const Node& n, const std::string& name) const;
  // The tensor `name` stored in `target` layout (inserts a Transpose, or a
  // Reshape when the bytes are already in that order).
  int32_t Ensure(const Node& n, const std::string& name, const Perm& target);
  // True if a tensor stored with `perm` has its bytes in plain IR order.
  bool SameOrder(const Shape& ir, const Perm& a, const Perm& b) const;
  // Creates the dyad tensor of IR activation `name` stored with `perm`.
  int32_t NewAct(const std::string& name, const Perm& perm);
  int32_t AddConstTensor(const std::string& name, std::vector<int32_t> shape, fb::DType dtype,
                         const void* data, size_t bytes, double scale, int32_t zp);
  // A float constant broadcast to `rank`, permuted by `perm`, quantized with `p`.
  int32_t QuantizedConst(const Node& n, const std::string& name, size_t rank, const Perm& perm,
                         const QParams& p);
  void AddOp(const Node& n, fb::OperatorOptions type, std::vector<int32_t> in,
             std::vector<int32_t> out, OptionsBuilder options);
  // Fused activation of `n` as clamp bounds in `out`'s integer domain.
  void ActBounds(const Node& n, const QParams& out, int32_t* lo, int32_t* hi) const;

  void QuantizeNode(const Node& n);

 private:
  void AssignParams();
  // W8A16 mode: true when every member of a group is written by an op that
  // can write int16; *clamped: and every such op clamps its output.
  bool GroupWritesInt16(const std::vector<std::string>& members, bool* clamped) const;
  // The largest |q| an int16 group may hold so that every Conv/Gemm reading
  // it provably accumulates inside int32 (32767 when nothing limits it).
  int32_t Int16Limit(const std::vector<std::string>& members) const;
  void EmitInputs();
  void EmitOutputs();

  const std::map<std::string, TensorStats>& stats_;
  const std::map<std::string, Range>& ranges_;
  const QuantizeOptions& opt_;
  std::map<std::pair<std::string, Perm>, int32_t> ensured_, int8_of_;
  std::map<std::string, QParams> qp8_;
  std::vector<Int16Choice> int16_;
};

std::vector<int32_t> PermuteShape(const Shape& ir, const Perm& p);
Perm InversePerm(const Perm& p);
bool IsMovementOp(const std::string& op);
// Unary ops the quantizer turns into a lookup table (eq. 13 / 13b).
bool IsUnaryLut(const std::string& op);

}  // namespace dyad::convert
