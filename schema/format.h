// Constants of the .dyad file layout, shared by the writer and libdyad.
#pragma once

#include <cstdint>

namespace dyad {

// The one format version. libdyad loads exactly this version; bump it (and
// docs/format.md) on any incompatible schema change.
constexpr uint32_t kFormatVersion = 1;
// Alignment of the data segment and of every Buffer.offset.
constexpr uint64_t kDataAlignment = 64;

constexpr uint64_t align_up_64(uint64_t v) { return (v + 63) & ~uint64_t{63}; }

}  // namespace dyad
