// 256-entry byte table, AVX2: out[i] = table[in[i]], 32 bytes per step.
// vpshufb looks up 16 entries and gives 0 where the index byte has bit 7 set.
// Two passes of 8 lookups: pass A uses s_k = in -sat 16k (signed saturating,
// vpsubsb), whose bit 7 is clear exactly when in < 128 and in >= 16k; pass B
// the same on in ^ 0x80 for in >= 128. The low 4 bits stay in & 15. Table k of
// a pass holds chunk k XOR chunk k-1, so the lookups XOR to chunk in >> 4.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/pool_kernels.h"

namespace dyad {
namespace pool_isa {
namespace {

struct Tables {
  __m256i t[16];
  explicit Tables(const uint8_t* table) {
    __m128i prev = _mm_setzero_si128();
    for (int k = 0; k < 16; ++k) {
      const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(table + 16 * k));
      // The first chunk of each pass stands alone.
      const __m128i diff = (k == 0 || k == 8) ? chunk : _mm_xor_si128(chunk, prev);
      t[k] = _mm256_broadcastsi128_si256(diff);
      prev = chunk;
    }
  }
};

inline __m256i lookup32(const Tables& tb, __m256i x) {
  const __m256i sixteen = _mm256_set1_epi8(16);
  __m256i s = x;
  __m256i y = _mm256_shuffle_epi8(tb.t[0], s);
  for (int k = 1; k < 8; ++k) {
    s = _mm256_subs_epi8(s, sixteen);
    y = _mm256_xor_si256(y, _mm256_shuffle_epi8(tb.t[k], s));
  }
  s = _mm256_xor_si256(x, _mm256_set1_epi8(static_cast<char>(0x80)));
  y = _mm256_xor_si256(y, _mm256_shuffle_epi8(tb.t[8], s));
  for (int k = 9; k < 16; ++k) {
    s = _mm256_subs_epi8(s, sixteen);
    y = _mm256_xor_si256(y, _mm256_shuffle_epi8(tb.t[k], s));
  }
  return y;
}

}  // namespace

void x8_lut_32__avx2(const uint8_t* input, int64_t count, const uint8_t* table, int8_t* output) {
  const Tables tb(table);
  int64_t i = 0;
  for (; i + 32 <= count; i += 32) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(input + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(output + i), lookup32(tb, x));
  }
  if (i == count) return;
  alignas(32) uint8_t tmp[32] = {};
  const auto rest = static_cast<size_t>(count - i);
  std::memcpy(tmp, input + i, rest);
  _mm256_store_si256(reinterpret_cast<__m256i*>(tmp),
                     lookup32(tb, _mm256_load_si256(reinterpret_cast<const __m256i*>(tmp))));
  std::memcpy(output + i, tmp, rest);
}

}  // namespace pool_isa
}  // namespace dyad
