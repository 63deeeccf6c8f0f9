// The run loop shared by the Add/Sub/Mul vector kernels of every ISA
// (x86/avx2/qs8_v{add,mul}_16__avx2.cc, arm/neon/qs8_v{add,mul}_16__neon.cc):
// 16 outputs per block, the tail on zero-padded copies of the operands.
// Elements are int8_t (qs8_*) or int16_t (qs16_*).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace dyad {

// Calls block(a16, b16, out16, count) for each 16 outputs of [0, n); an
// operand that is one repeated value (kAScalar / kBScalar) is never read.
// The tail block gets copies padded with zeros; it stores only `count`.
template <bool kAScalar, bool kBScalar, typename T, typename Block>
inline void for_each_block16(const T* a, const T* b, T* out, size_t n, Block&& block) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) block(a + (kAScalar ? 0 : i), b + (kBScalar ? 0 : i), out + i, 16);
  if (i < n) {
    alignas(32) T ta[16] = {};
    alignas(32) T tb[16] = {};
    const size_t rest = n - i;
    if (!kAScalar) std::memcpy(ta, a + i, rest * sizeof(T));
    if (!kBScalar) std::memcpy(tb, b + i, rest * sizeof(T));
    block(ta, tb, out + i, static_cast<int>(rest));
  }
}

// The BinaryRunFn convention (a null value pointer: that operand is
// contiguous) as compile-time flags: calls fn(a_scalar, b_scalar, a_value,
// b_value) with std::true_type / std::false_type tags.
template <typename Fn>
inline void dispatch_scalar_operand(const int32_t* a_value, const int32_t* b_value, Fn&& fn) {
  if (a_value != nullptr) {
    fn(std::true_type{}, std::false_type{}, *a_value, 0);
  } else if (b_value != nullptr) {
    fn(std::false_type{}, std::true_type{}, 0, *b_value);
  } else {
    fn(std::false_type{}, std::false_type{}, 0, 0);
  }
}

}  // namespace dyad
