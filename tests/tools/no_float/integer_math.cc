// Fixture for the no-float self-test: integer-only code of the kind libdyad
// contains (dot product, rounding shift, clamp, copies), so check_no_float.sh
// must accept the library built from it.
#include <cstdint>
#include <cstring>

extern "C" int32_t fixture_dot(const int8_t* a, const int8_t* b, int n) {
  int32_t acc = 0;
  for (int i = 0; i < n; ++i) acc += int32_t{a[i]} * b[i];
  return acc;
}

extern "C" void fixture_requantize(const int32_t* acc, int n, int32_t m0, int shift,
                                   int8_t* out) {
  for (int i = 0; i < n; ++i) {
    const int64_t prod = int64_t{acc[i]} * m0;
    int32_t v = static_cast<int32_t>((prod + (int64_t{1} << 30)) >> 31);
    if (shift > 0) v = (v + (1 << (shift - 1))) >> shift;
    out[i] = static_cast<int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
  }
}

extern "C" void fixture_copy(void* dst, const void* src, unsigned long n) {
  std::memcpy(dst, src, n);
}

// Bitfield insert: AArch64 compiles this to `bfi`, an integer instruction
// whose mnemonic starts like the bfloat16 ones (bfcvt, bfdot, bfmmla, ...).
extern "C" uint32_t fixture_insert_high_half(uint32_t a, uint32_t b) {
  return (a & 0xFFFFu) | (b << 16);
}
