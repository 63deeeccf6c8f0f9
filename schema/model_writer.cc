#include "schema/model_writer.h"

#include <cstdio>
#include <cstring>

namespace dyad {

int32_t ModelWriter::add_buffer(const void* data, size_t size) {
  const uint64_t offset = align_up_64(data_.size());
  data_.resize(offset + size, 0);
  if (size > 0) std::memcpy(data_.data() + offset, data, size);
  placements_.push_back({offset, size});
  return static_cast<int32_t>(placements_.size() - 1);
}

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Buffer>>>
ModelWriter::build_buffers(flatbuffers::FlatBufferBuilder& fbb) const {
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers;
  buffers.reserve(placements_.size());
  for (const Placement& p : placements_) buffers.push_back(fb::CreateBuffer(fbb, p.offset, p.size));
  return fbb.CreateVector(buffers);
}

std::vector<uint8_t> ModelWriter::finish(flatbuffers::FlatBufferBuilder& fbb,
                                         flatbuffers::Offset<fb::Model> root) const {
  fb::FinishSizePrefixedModelBuffer(fbb, root);
  return assemble(fbb.GetBufferPointer(), fbb.GetSize());
}

std::vector<uint8_t> ModelWriter::assemble(const uint8_t* size_prefixed, size_t size) const {
  const uint64_t data_start = align_up_64(size);  // `size` includes the 4-byte prefix
  std::vector<uint8_t> file(data_start + data_.size(), 0);
  std::memcpy(file.data(), size_prefixed, size);
  if (!data_.empty()) std::memcpy(file.data() + data_start, data_.data(), data_.size());
  return file;
}

bool write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace dyad
