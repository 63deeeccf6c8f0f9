// Which kernel path (ISA) runs: what this build contains (compile time) and
// what this CPU can execute (run time). The runtime picks best_isa() unless
// DYAD_ISA or the session options force a path.
#pragma once

namespace dyad {

enum class Isa { kReference, kAvx2, kAvxVnni, kAvx512Vnni, kNeon, kNeonDot, kI8mm };

constexpr int kNumIsas = 7;

// "reference", "avx2", "avxvnni", "avx512vnni", "neon", "neondot", "i8mm".
const char* isa_name(Isa isa);
// Parses one of the names above (exact, lower case). False if unknown.
bool isa_from_name(const char* name, Isa* out);
// True if this build contains kernels for `isa` (DYAD_BUILT_* macros).
bool isa_built(Isa isa);
// True if the CPU running this process can execute `isa`'s instructions.
bool isa_supported(Isa isa);
// AVX-512 VBMI (vpermi2b) on top of the AVX-512 path's subset: an extra
// instruction some kernels of that path use when present (the byte LUT).
bool cpu_has_avx512vbmi();
// The fastest path that is both built and supported (kReference at worst).
Isa best_isa();
// Reads DYAD_ISA. True and *out set if it is set to a known name; false if
// unset or empty. An unknown name also returns false with *out untouched and
// `*unknown` (if given) set to true.
bool isa_from_env(Isa* out, bool* unknown = nullptr);

}  // namespace dyad
