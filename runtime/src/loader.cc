// load_model(): format checks, FlatBuffers verifier, per-tensor and graph
// checks, each op's own verify(), topological order and the arena plan.
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <queue>
#include <string>

#include "runtime/ops/op.h"
#include "runtime/src/error.h"
#include "runtime/src/model.h"
#include "runtime/src/planner.h"
#include "schema/format.h"

namespace dyad {
namespace rt {
namespace {

// Largest tensor libdyad accepts: kernels index with int64 but take int32 dims
// and counts, and an arena has to be allocatable.
constexpr int64_t kMaxTensorElements = std::numeric_limits<int32_t>::max();
// FlatBuffers verifier limits: nesting depth and number of tables.
constexpr flatbuffers::uoffset_t kMaxDepth = 64;
constexpr flatbuffers::uoffset_t kMaxTables = 1u << 22;

std::string tensor_label(const Model& m, int32_t index) {
  return "tensor " + std::to_string(index) + " '" +
         m.tensors[static_cast<size_t>(index)].name + "'";
}

std::string op_label(const Model& m, int32_t index) {
  const OpInfo& op = m.ops[static_cast<size_t>(index)];
  return "op " + std::to_string(index) + " '" + op.name + "' (" + op_type_name(op.type) + ")";
}

dyad_status check_format(Model* m) {
  if ((reinterpret_cast<uintptr_t>(m->data) & (kDataAlignment - 1)) != 0) {
    return fail(DYAD_ERROR_ALIGNMENT, "model data at %p is not 64-byte aligned",
                static_cast<const void*>(m->data));
  }
  // size prefix + root offset + identifier
  if (m->size < 12) {
    return fail(DYAD_ERROR_FORMAT, "truncated: %zu bytes is smaller than the 12-byte header",
                m->size);
  }
  uint32_t fb_size = 0;
  std::memcpy(&fb_size, m->data, 4);
  fb_size = flatbuffers::EndianScalar(fb_size);
  if (fb_size > m->size - 4) {
    return fail(DYAD_ERROR_FORMAT,
                "truncated: size prefix says %u FlatBuffer bytes, file has %zu after it", fb_size,
                m->size - 4);
  }
  if (!flatbuffers::BufferHasIdentifier(m->data, fb::ModelIdentifier(), true)) {
    return fail(DYAD_ERROR_FORMAT, "wrong file identifier (expected \"DYAD\")");
  }
  flatbuffers::Verifier verifier(m->data, size_t{fb_size} + 4, kMaxDepth, kMaxTables);
  if (!fb::VerifySizePrefixedModelBuffer(verifier)) {
    return fail(DYAD_ERROR_FORMAT, "FlatBuffers verifier rejected the model table");
  }
  m->fb = fb::GetSizePrefixedModel(m->data);
  if (m->fb->version() != kFormatVersion) {
    return fail(DYAD_ERROR_VERSION, "format version %u; this libdyad reads version %u",
                m->fb->version(), kFormatVersion);
  }
  m->data_segment = align_up_64(uint64_t{fb_size} + 4);
  return DYAD_OK;
}

dyad_status read_shape(const Model& m, int32_t index, const fb::Tensor* t, TensorInfo* info) {
  const auto* shape = t->shape();
  const uint32_t rank = shape == nullptr ? 0 : shape->size();
  if (rank > kMaxRank) {
    return fail(DYAD_ERROR_INVALID_MODEL, "%s: shape rank %u exceeds the maximum %d",
                tensor_label(m, index).c_str(), rank, kMaxRank);
  }
  info->shape.rank = static_cast<int>(rank);
  int64_t elements = 1;
  for (uint32_t d = 0; d < rank; ++d) {
    const int32_t dim = shape->Get(d);
    if (dim < 1) {
      return fail(DYAD_ERROR_INVALID_MODEL, "%s: shape[%u] = %d, every dimension must be >= 1",
                  tensor_label(m, index).c_str(), d, dim);
    }
    // elements <= kMaxTensorElements < 2^31 and dim < 2^31: the product fits int64.
    elements *= dim;
    if (elements > kMaxTensorElements) {
      return fail(DYAD_ERROR_INVALID_MODEL,
                  "%s: shape has more than %lld elements (size arithmetic would overflow)",
                  tensor_label(m, index).c_str(), static_cast<long long>(kMaxTensorElements));
    }
    info->shape.dims[d] = dim;
  }
  info->bytes = static_cast<uint64_t>(elements) * dtype_size(info->dtype);
  return DYAD_OK;
}

dyad_status read_tensors(Model* m) {
  const auto* tensors = m->fb->tensors();
  const auto* buffers = m->fb->buffers();
  const uint32_t num_buffers = buffers == nullptr ? 0 : buffers->size();
  const uint64_t data_bytes = m->size > m->data_segment ? m->size - m->data_segment : 0;
  const uint32_t n = tensors == nullptr ? 0 : tensors->size();
  m->tensors.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    const int32_t index = static_cast<int32_t>(i);
    const fb::Tensor* t = tensors->Get(i);
    TensorInfo& info = m->tensors[i];
    if (t->name() != nullptr) info.name = t->name()->c_str();
    const int dtype = static_cast<int>(t->dtype());
    if (dtype < 0 || dtype > 3) {
      return fail(DYAD_ERROR_INVALID_MODEL, "%s: dtype %d is not a known DType",
                  tensor_label(*m, index).c_str(), dtype);
    }
    info.dtype = static_cast<DType>(dtype);
    info.zero_point = t->zero_point();
    // Raw bits of the scale (a float field): copied for the app, never computed with.
    const auto* table = reinterpret_cast<const flatbuffers::Table*>(t);
    info.scale_bits = table->GetField<uint32_t>(fb::Tensor::VT_SCALE, 0);
    if (dyad_status s = read_shape(*m, index, t, &info)) return s;
    int64_t lo = 0, hi = 0;
    switch (info.dtype) {
      case DType::kInt8: lo = -128; hi = 127; break;
      case DType::kUInt8: lo = 0; hi = 255; break;
      case DType::kInt16: lo = -32768; hi = 32767; break;
      case DType::kInt32: lo = INT32_MIN; hi = INT32_MAX; break;
    }
    if (info.zero_point < lo || info.zero_point > hi) {
      return fail(DYAD_ERROR_INVALID_MODEL, "%s: zero_point %d outside the range of its dtype",
                  tensor_label(*m, index).c_str(), info.zero_point);
    }
    const int32_t b = t->buffer();
    if (b == -1) continue;
    if (b < 0 || static_cast<uint32_t>(b) >= num_buffers) {
      return fail(DYAD_ERROR_INVALID_MODEL, "%s: buffer index %d out of range (%u buffers)",
                  tensor_label(*m, index).c_str(), b, num_buffers);
    }
    const fb::Buffer* buf = buffers->Get(static_cast<uint32_t>(b));
    const uint64_t offset = buf->offset(), size = buf->size();
    if (offset % kDataAlignment != 0) {
      return fail(DYAD_ERROR_INVALID_MODEL, "buffer %d: offset %llu is not a multiple of 64", b,
                  static_cast<unsigned long long>(offset));
    }
    // offset + size <= data_bytes, written so that it cannot overflow.
    if (offset > data_bytes || size > data_bytes - offset) {
      return fail(DYAD_ERROR_INVALID_MODEL,
                  "buffer %d: offset %llu + size %llu runs past the end of the file "
                  "(data segment has %llu bytes)",
                  b, static_cast<unsigned long long>(offset),
                  static_cast<unsigned long long>(size),
                  static_cast<unsigned long long>(data_bytes));
    }
    if (size != info.bytes) {
      return fail(DYAD_ERROR_INVALID_MODEL,
                  "%s: buffer %d size %llu does not match shape x element size = %llu bytes",
                  tensor_label(*m, index).c_str(), b, static_cast<unsigned long long>(size),
                  static_cast<unsigned long long>(info.bytes));
    }
    info.constant = m->data + m->data_segment + offset;
    m->weights_bytes += size;
  }
  return DYAD_OK;
}

dyad_status read_index_list(const Model& m, const flatbuffers::Vector<int32_t>* v,
                            const char* what, std::vector<int32_t>* out) {
  const uint32_t n = v == nullptr ? 0 : v->size();
  for (uint32_t i = 0; i < n; ++i) {
    const int32_t t = v->Get(i);
    if (t < 0 || static_cast<size_t>(t) >= m.tensors.size()) {
      return fail(DYAD_ERROR_INVALID_MODEL, "model %s[%u] = %d: tensor index out of range (%zu tensors)",
                  what, i, t, m.tensors.size());
    }
    out->push_back(t);
  }
  return DYAD_OK;
}

dyad_status read_ops(Model* m) {
  const auto* ops = m->fb->operators();
  const uint32_t n = ops == nullptr ? 0 : ops->size();
  m->ops.resize(n);
  const int64_t num_tensors = static_cast<int64_t>(m->tensors.size());
  for (uint32_t i = 0; i < n; ++i) {
    const fb::Operator* fop = ops->Get(i);
    OpInfo& op = m->ops[i];
    op.fb = fop;
    op.type = fop->options_type();
    if (fop->name() != nullptr) op.name = fop->name()->c_str();
    if (op.type == fb::OperatorOptions::NONE) {
      return fail(DYAD_ERROR_INVALID_MODEL, "op %u '%s': options missing (type NONE)", i, op.name);
    }
    op.kernel = find_op_kernel(op.type);
    if (op.kernel == nullptr) {
      return fail(DYAD_ERROR_UNSUPPORTED, "op %u '%s': unknown op type %d", i, op.name,
                  static_cast<int>(op.type));
    }
    if (fop->options() == nullptr) {
      return fail(DYAD_ERROR_INVALID_MODEL, "%s: options table missing",
                  op_label(*m, static_cast<int32_t>(i)).c_str());
    }
    for (int pass = 0; pass < 2; ++pass) {
      const auto* v = pass == 0 ? fop->inputs() : fop->outputs();
      std::vector<int32_t>& dst = pass == 0 ? op.inputs : op.outputs;
      const uint32_t count = v == nullptr ? 0 : v->size();
      for (uint32_t k = 0; k < count; ++k) {
        const int32_t t = v->Get(k);
        const bool absent_ok = pass == 0 && t == -1;
        if (!absent_ok && (t < 0 || t >= num_tensors)) {
          return fail(DYAD_ERROR_INVALID_MODEL, "%s: %s[%u] = %d: tensor index out of range "
                      "(%lld tensors)", op_label(*m, static_cast<int32_t>(i)).c_str(),
                      pass == 0 ? "inputs" : "outputs", k, t, static_cast<long long>(num_tensors));
        }
        dst.push_back(t);
      }
    }
  }
  return DYAD_OK;
}

dyad_status check_graph(Model* m) {
  if (dyad_status s = read_index_list(*m, m->fb->inputs(), "inputs", &m->inputs)) return s;
  if (dyad_status s = read_index_list(*m, m->fb->outputs(), "outputs", &m->outputs)) return s;
  if (m->outputs.empty()) return fail(DYAD_ERROR_INVALID_MODEL, "model has no outputs");
  for (int32_t t : m->inputs) {
    TensorInfo& info = m->tensors[static_cast<size_t>(t)];
    if (info.constant != nullptr) {
      return fail(DYAD_ERROR_INVALID_MODEL, "graph input %s is a constant",
                  tensor_label(*m, t).c_str());
    }
    if (info.graph_input) {
      return fail(DYAD_ERROR_INVALID_MODEL, "graph input %s is listed twice",
                  tensor_label(*m, t).c_str());
    }
    info.graph_input = true;
    info.used = true;
  }
  for (size_t i = 0; i < m->ops.size(); ++i) {
    const int32_t op_index = static_cast<int32_t>(i);
    for (int32_t t : m->ops[i].outputs) {
      TensorInfo& info = m->tensors[static_cast<size_t>(t)];
      if (info.constant != nullptr) {
        return fail(DYAD_ERROR_INVALID_MODEL, "%s writes constant %s",
                    op_label(*m, op_index).c_str(), tensor_label(*m, t).c_str());
      }
      if (info.graph_input) {
        return fail(DYAD_ERROR_INVALID_MODEL, "%s writes graph input %s",
                    op_label(*m, op_index).c_str(), tensor_label(*m, t).c_str());
      }
      if (info.producer >= 0) {
        return fail(DYAD_ERROR_INVALID_MODEL, "%s is produced twice: by %s and by %s",
                    tensor_label(*m, t).c_str(), op_label(*m, info.producer).c_str(),
                    op_label(*m, op_index).c_str());
      }
      info.producer = op_index;
      info.used = true;
    }
  }
  for (size_t i = 0; i < m->ops.size(); ++i) {
    for (int32_t t : m->ops[i].inputs) {
      if (t < 0) continue;
      TensorInfo& info = m->tensors[static_cast<size_t>(t)];
      info.used = true;
      if (info.constant == nullptr && info.producer < 0 && !info.graph_input) {
        return fail(DYAD_ERROR_INVALID_MODEL,
                    "%s reads %s, which is neither a constant, a graph input nor produced by an op",
                    op_label(*m, static_cast<int32_t>(i)).c_str(), tensor_label(*m, t).c_str());
      }
    }
  }
  for (int32_t t : m->outputs) {
    TensorInfo& info = m->tensors[static_cast<size_t>(t)];
    if (info.producer < 0 && !info.graph_input) {
      return fail(DYAD_ERROR_INVALID_MODEL, "graph output %s is never produced",
                  tensor_label(*m, t).c_str());
    }
    info.graph_output = true;
  }
  return DYAD_OK;
}

// Kahn's algorithm; on a cycle, walks back from a blocked op until an op repeats.
dyad_status topological_sort(Model* m) {
  const size_t n = m->ops.size();
  std::vector<int32_t> pending(n, 0);
  std::vector<std::vector<int32_t>> consumers(n);
  for (size_t i = 0; i < n; ++i) {
    for (int32_t t : m->ops[i].inputs) {
      if (t < 0) continue;
      const int32_t p = m->tensors[static_cast<size_t>(t)].producer;
      if (p < 0) continue;
      ++pending[i];
      consumers[static_cast<size_t>(p)].push_back(static_cast<int32_t>(i));
    }
  }
  // Lowest index first, so file order is kept where the graph allows.
  std::priority_queue<int32_t, std::vector<int32_t>, std::greater<int32_t>> ready;
  for (size_t i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push(static_cast<int32_t>(i));
  }
  while (!ready.empty()) {
    const int32_t op = ready.top();
    ready.pop();
    m->order.push_back(op);
    for (int32_t c : consumers[static_cast<size_t>(op)]) {
      if (--pending[static_cast<size_t>(c)] == 0) ready.push(c);
    }
  }
  if (m->order.size() == n) return DYAD_OK;
  int32_t op = 0;
  while (pending[static_cast<size_t>(op)] == 0) ++op;
  // Every blocked op has a blocked producer; n steps back lands inside a cycle.
  for (size_t step = 0; step < n; ++step) {
    for (int32_t t : m->ops[static_cast<size_t>(op)].inputs) {
      if (t < 0) continue;
      const int32_t p = m->tensors[static_cast<size_t>(t)].producer;
      if (p >= 0 && pending[static_cast<size_t>(p)] > 0) {
        op = p;
        break;
      }
    }
  }
  return fail(DYAD_ERROR_INVALID_MODEL, "graph has a cycle through %s", op_label(*m, op).c_str());
}

}  // namespace

Model::~Model() {
  if (mapping != nullptr) munmap(mapping, mapping_size);
}

dyad_status load_model(Model* m) {
  if (dyad_status s = check_format(m)) return s;
  if (dyad_status s = read_tensors(m)) return s;
  if (dyad_status s = read_ops(m)) return s;
  if (dyad_status s = check_graph(m)) return s;
  if (dyad_status s = topological_sort(m)) return s;
  for (int32_t op : m->order) {
    if (dyad_status s = m->ops[static_cast<size_t>(op)].kernel->verify(OpCheck(*m, op))) return s;
  }
  return plan_arena(*m, &m->plan);
}

}  // namespace rt
}  // namespace dyad
