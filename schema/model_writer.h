// Assembles a .dyad file: [uint32 size][FlatBuffer Model][zero pad][data segment].
// The data segment starts at align_up(4 + size, 64); every constant blob sits
// at a multiple of 64 inside it (see the layout comment in schema/dyad.fbs).
//
// Usage:
//   flatbuffers::FlatBufferBuilder fbb;
//   dyad::ModelWriter writer;
//   int32_t w = writer.add_buffer(weights.data(), weights.size());   // Tensor.buffer = w
//   auto buffers = writer.build_buffers(fbb);                          // Model.buffers
//   ... build tensors/operators, then dyad::fb::CreateModel(fbb, ...) -> root
//   std::vector<uint8_t> file = writer.finish(fbb, root);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "schema/dyad_generated.h"
#include "schema/format.h"

namespace dyad {

class ModelWriter {
 public:
  struct Placement {
    uint64_t offset;  // from the start of the data segment, multiple of 64
    uint64_t size;
  };

  // Copies `size` bytes; returns the blob's index in Model.buffers.
  int32_t add_buffer(const void* data, size_t size);
  const std::vector<Placement>& placements() const { return placements_; }

  // Model.buffers for the blobs added so far.
  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Buffer>>> build_buffers(
      flatbuffers::FlatBufferBuilder& fbb) const;

  // Finishes `fbb` size-prefixed with identifier "DYAD" and returns the file bytes.
  std::vector<uint8_t> finish(flatbuffers::FlatBufferBuilder& fbb,
                              flatbuffers::Offset<fb::Model> root) const;
  // Same from an already size-prefixed FlatBuffer (4-byte prefix included).
  std::vector<uint8_t> assemble(const uint8_t* size_prefixed, size_t size) const;

  // Offset of the data segment in a file whose FlatBuffer has `fb_size` bytes
  // (prefix excluded).
  static uint64_t data_segment_offset(uint64_t fb_size) { return align_up_64(4 + fb_size); }

 private:
  std::vector<uint8_t> data_;  // the data segment, blobs already at their offsets
  std::vector<Placement> placements_;
};

// Writes `bytes` to `path`; false on any I/O error.
bool write_file(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace dyad
