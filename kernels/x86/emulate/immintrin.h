// Test-only stand-in for <immintrin.h>, used when CMake's DYAD_X86_EMULATE is
// on: the AVX-VNNI and AVX-512 kernel files are then compiled for plain
// x86-64 against SIMDe (Debian's libsimde-dev), which implements each
// intrinsic in portable C with the instruction's documented semantics. A
// machine without those extensions can so check the kernels bit-exact against
// the reference kernels. It proves the arithmetic, not the speed, and never
// goes into a release build (CMakeLists.txt refuses the option there).
//
// SIMDe 0.7.4 lacks a few intrinsics the kernels use; they are defined below
// from the Intel SDM's pseudo-code (truncating down-converts, masked byte
// loads/stores, shift by an xmm count).
#pragma once

#define SIMDE_ENABLE_NATIVE_ALIASES
#define SIMDE_NO_NATIVE
#include <simde/x86/avx512.h>

#include <cstdint>
#include <cstring>

typedef simde__mmask8 __mmask8;
typedef simde__mmask16 __mmask16;
typedef simde__mmask32 __mmask32;
typedef simde__mmask64 __mmask64;

namespace dyad_emulate {

template <typename V, typename T, int N>
inline void to_lanes(const V& v, T (&out)[N]) {
  static_assert(sizeof(V) == sizeof(T) * N, "lane count");
  std::memcpy(out, &v, sizeof(V));
}
template <typename V, typename T, int N>
inline V from_lanes(const T (&in)[N]) {
  static_assert(sizeof(V) == sizeof(T) * N, "lane count");
  V v;
  std::memcpy(&v, in, sizeof(V));
  return v;
}

// vpmovdb / vpmovdw: keep the low bits of each int32 lane.
inline simde__m128i cvtepi32_epi8(simde__m512i a) {
  int32_t x[16];
  to_lanes(a, x);
  int8_t y[16];
  for (int i = 0; i < 16; ++i) y[i] = static_cast<int8_t>(static_cast<uint32_t>(x[i]) & 0xff);
  return from_lanes<simde__m128i>(y);
}
inline simde__m256i cvtepi32_epi16(simde__m512i a) {
  int32_t x[16];
  to_lanes(a, x);
  int16_t y[16];
  for (int i = 0; i < 16; ++i) y[i] = static_cast<int16_t>(static_cast<uint32_t>(x[i]) & 0xffff);
  return from_lanes<simde__m256i>(y);
}

// vpsrad zmm, xmm: the count is the low 64 bits; above 31 every bit is the sign.
inline simde__m512i sra_epi32(simde__m512i a, simde__m128i count) {
  uint64_t c;
  std::memcpy(&c, &count, sizeof(c));
  int32_t x[16];
  to_lanes(a, x);
  for (int i = 0; i < 16; ++i) x[i] = c > 31 ? (x[i] < 0 ? -1 : 0) : (x[i] >> c);
  return from_lanes<simde__m512i>(x);
}

// vpsravd: per-lane count; above 31 every bit is the sign.
inline simde__m512i srav_epi32(simde__m512i a, simde__m512i count) {
  int32_t x[16];
  uint32_t c[16];
  to_lanes(a, x);
  to_lanes(count, c);
  for (int i = 0; i < 16; ++i) x[i] = c[i] > 31 ? (x[i] < 0 ? -1 : 0) : (x[i] >> c[i]);
  return from_lanes<simde__m512i>(x);
}

// vpsrad zmm, imm.
inline simde__m512i srai_epi32(simde__m512i a, unsigned imm) {
  int32_t x[16];
  to_lanes(a, x);
  for (int i = 0; i < 16; ++i) x[i] = imm > 31 ? (x[i] < 0 ? -1 : 0) : (x[i] >> imm);
  return from_lanes<simde__m512i>(x);
}

// vpmovsxbd: sign-extend 16 bytes to int32 lanes.
inline simde__m512i cvtepi8_epi32(simde__m128i a) {
  int8_t x[16];
  to_lanes(a, x);
  int32_t y[16];
  for (int i = 0; i < 16; ++i) y[i] = x[i];
  return from_lanes<simde__m512i>(y);
}

// Masked loads (zeroing) and stores of N elements of T: masked-off elements
// are neither read nor written, as the instructions' fault suppression allows.
template <typename V, typename T, int N>
inline V maskz_load(uint64_t k, const void* p) {
  T y[N] = {};
  for (int i = 0; i < N; ++i)
    if ((k >> i) & 1) std::memcpy(&y[i], static_cast<const char*>(p) + i * sizeof(T), sizeof(T));
  return from_lanes<V>(y);
}
template <typename V, typename T, int N>
inline void mask_store(void* p, uint64_t k, V v) {
  T x[N];
  to_lanes(v, x);
  for (int i = 0; i < N; ++i)
    if ((k >> i) & 1) std::memcpy(static_cast<char*>(p) + i * sizeof(T), &x[i], sizeof(T));
}

}  // namespace dyad_emulate

#define _mm512_cvtepi32_epi8(a) dyad_emulate::cvtepi32_epi8(a)
#define _mm512_cvtepi32_epi16(a) dyad_emulate::cvtepi32_epi16(a)
#define _mm512_sra_epi32(a, c) dyad_emulate::sra_epi32(a, c)
#define _mm512_srai_epi32(a, imm) dyad_emulate::srai_epi32(a, imm)
#define _mm512_cvtepi8_epi32(a) dyad_emulate::cvtepi8_epi32(a)
#define _mm512_cmplt_epi32_mask(a, b) simde_mm512_cmpgt_epi32_mask(b, a)
#define _mm512_srav_epi32(a, c) dyad_emulate::srav_epi32(a, c)
#define _mm_maskz_loadu_epi8(k, p) (dyad_emulate::maskz_load<simde__m128i, int8_t, 16>((k), (p)))
#define _mm256_maskz_loadu_epi8(k, p) (dyad_emulate::maskz_load<simde__m256i, int8_t, 32>((k), (p)))
#define _mm512_maskz_loadu_epi8(k, p) (dyad_emulate::maskz_load<simde__m512i, int8_t, 64>((k), (p)))
#define _mm_mask_storeu_epi8(p, k, v) (dyad_emulate::mask_store<simde__m128i, int8_t, 16>((p), (k), (v)))
#define _mm256_mask_storeu_epi8(p, k, v) (dyad_emulate::mask_store<simde__m256i, int8_t, 32>((p), (k), (v)))
#define _mm256_mask_storeu_epi16(p, k, v) (dyad_emulate::mask_store<simde__m256i, int16_t, 16>((p), (k), (v)))
#define _mm512_mask_storeu_epi8(p, k, v) (dyad_emulate::mask_store<simde__m512i, int8_t, 64>((p), (k), (v)))
#define _mm512_mask_storeu_epi32(p, k, v) (dyad_emulate::mask_store<simde__m512i, int32_t, 16>((p), (k), (v)))
// AVX-VNNI's VEX form has the same semantics as the EVEX vpdpbusd ymm.
#define _mm256_dpbusd_avx_epi32(s, a, b) simde_mm256_dpbusd_epi32(s, a, b)
