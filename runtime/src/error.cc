#include "runtime/src/error.h"

#include <cstdarg>
#include <cstdio>

namespace dyad {
namespace rt {
namespace {
// Fixed size: setting an error never allocates.
thread_local char g_message[1024] = "";
}  // namespace

dyad_status fail(dyad_status status, const char* format, ...) {
  va_list args;
  va_start(args, format);
  std::vsnprintf(g_message, sizeof(g_message), format, args);
  va_end(args);
  return status;
}

void clear_error() { g_message[0] = '\0'; }

const char* last_error() { return g_message; }

}  // namespace rt
}  // namespace dyad
