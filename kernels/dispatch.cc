#include "kernels/dispatch.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#if defined(DYAD_HAVE_CPUINFO)
#include <cpuinfo.h>
#endif
#endif

#if defined(__linux__) && (defined(__aarch64__) || defined(__arm__))
#include <sys/auxv.h>
#endif

namespace dyad {
namespace {

struct IsaName {
  Isa isa;
  const char* name;
};

constexpr IsaName kIsaNames[kNumIsas] = {
    {Isa::kReference, "reference"}, {Isa::kAvx2, "avx2"},
    {Isa::kAvxVnni, "avxvnni"},     {Isa::kAvx512Vnni, "avx512vnni"},
    {Isa::kNeon, "neon"},           {Isa::kNeonDot, "neondot"},
    {Isa::kI8mm, "i8mm"},
};

#if defined(__x86_64__) || defined(__i386__)
// DYAD_X86_EMULATE test builds (kernels/CMakeLists.txt) compile the AVX-VNNI
// and AVX-512 kernels against SIMDe: those paths then run on any x86-64.
#if defined(DYAD_X86_EMULATE)
constexpr bool kEmulatedX86 = true;
#else
constexpr bool kEmulatedX86 = false;
#endif

// AVX-VNNI (VEX-encoded vpdpbusd) is CPUID leaf 7 subleaf 1, EAX bit 4; cpuinfo
// of this vintage has no query for it. The OS must also save YMM state, which
// the AVX2 check below covers.
bool cpuid_has_avx_vnni() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 1, eax, ebx, ecx, edx);
  return (eax >> 4) & 1u;
}

bool x86_has_avx2() {
#if defined(DYAD_HAVE_CPUINFO)
  return cpuinfo_initialize() && cpuinfo_has_x86_avx2();
#else
  return __builtin_cpu_supports("avx2");
#endif
}

bool x86_has_avx512vnni() {
#if defined(DYAD_HAVE_CPUINFO)
  return cpuinfo_initialize() && cpuinfo_has_x86_avx512f() && cpuinfo_has_x86_avx512bw() &&
         cpuinfo_has_x86_avx512vl() && cpuinfo_has_x86_avx512vnni();
#else
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
#endif
}
#endif

}  // namespace

bool cpu_has_avx512vbmi() {
#if (defined(__x86_64__) || defined(__i386__)) && defined(DYAD_HAVE_CPUINFO)
  return kEmulatedX86 || (x86_has_avx512vnni() && cpuinfo_has_x86_avx512vbmi());
#elif defined(__x86_64__) || defined(__i386__)
  return kEmulatedX86 || (x86_has_avx512vnni() && __builtin_cpu_supports("avx512vbmi"));
#else
  return false;
#endif
}

namespace {

#if defined(__linux__) && defined(__aarch64__)
// Values from the Linux uapi <asm/hwcap.h>; defined here in case the libc
// headers predate them.
constexpr unsigned long kHwcapAsimdDp = 1ul << 20;
constexpr unsigned long kHwcap2I8mm = 1ul << 13;
#endif
#if defined(__linux__) && defined(__arm__)
constexpr unsigned long kHwcapNeon = 1ul << 12;
#endif

}  // namespace

const char* isa_name(Isa isa) {
  for (const IsaName& n : kIsaNames) {
    if (n.isa == isa) return n.name;
  }
  return "unknown";
}

bool isa_from_name(const char* name, Isa* out) {
  if (name == nullptr) return false;
  for (const IsaName& n : kIsaNames) {
    if (std::strcmp(n.name, name) == 0) {
      *out = n.isa;
      return true;
    }
  }
  return false;
}

bool isa_built(Isa isa) {
  switch (isa) {
    case Isa::kReference: return true;
#if defined(DYAD_BUILT_AVX2)
    case Isa::kAvx2: return true;
#endif
#if defined(DYAD_BUILT_AVXVNNI)
    case Isa::kAvxVnni: return true;
#endif
#if defined(DYAD_BUILT_AVX512VNNI)
    case Isa::kAvx512Vnni: return true;
#endif
#if defined(DYAD_BUILT_NEON)
    case Isa::kNeon: return true;
#endif
#if defined(DYAD_BUILT_NEONDOT)
    case Isa::kNeonDot: return true;
#endif
#if defined(DYAD_BUILT_I8MM)
    case Isa::kI8mm: return true;
#endif
    default: return false;
  }
}

bool isa_supported(Isa isa) {
  switch (isa) {
    case Isa::kReference: return true;
#if defined(__x86_64__) || defined(__i386__)
    case Isa::kAvx2: return x86_has_avx2();
    case Isa::kAvxVnni: return kEmulatedX86 || (x86_has_avx2() && cpuid_has_avx_vnni());
    case Isa::kAvx512Vnni: return kEmulatedX86 || x86_has_avx512vnni();
#endif
#if defined(__aarch64__)
    case Isa::kNeon: return true;  // Advanced SIMD is mandatory in AArch64.
#if defined(__linux__)
    case Isa::kNeonDot: return (getauxval(AT_HWCAP) & kHwcapAsimdDp) != 0;
    case Isa::kI8mm: return (getauxval(AT_HWCAP2) & kHwcap2I8mm) != 0;
#endif
#endif
#if defined(__arm__) && defined(__linux__)
    case Isa::kNeon: return (getauxval(AT_HWCAP) & kHwcapNeon) != 0;
#endif
    default: return false;
  }
}

Isa best_isa() {
  // Fastest first.
  static constexpr Isa kOrder[] = {Isa::kAvx512Vnni, Isa::kAvxVnni, Isa::kAvx2,
                                   Isa::kI8mm,       Isa::kNeonDot, Isa::kNeon};
  for (Isa isa : kOrder) {
    if (isa_built(isa) && isa_supported(isa)) return isa;
  }
  return Isa::kReference;
}

bool isa_from_env(Isa* out, bool* unknown) {
  if (unknown != nullptr) *unknown = false;
  const char* value = std::getenv("DYAD_ISA");
  if (value == nullptr || value[0] == '\0' || std::strcmp(value, "auto") == 0) return false;
  if (isa_from_name(value, out)) return true;
  if (unknown != nullptr) *unknown = true;
  return false;
}

}  // namespace dyad
