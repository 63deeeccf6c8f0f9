// SHA-256 (FIPS 180-4) of a byte string, lower-case hex; for the
// source_sha256 metadata of a converted model.
#pragma once

#include <string>

namespace dyad::convert {

std::string Sha256Hex(const std::string& bytes);

}  // namespace dyad::convert
