// Thread-local last-error message behind dyad_last_error().
#pragma once

#include "dyad/dyad.h"

namespace dyad {
namespace rt {

// Formats the message (printf subset: %d %u %s %lld %llu %zu; never %f),
// stores it for this thread and returns `status`.
dyad_status fail(dyad_status status, const char* format, ...)
    __attribute__((format(printf, 2, 3)));
void clear_error();
const char* last_error();

}  // namespace rt
}  // namespace dyad
