// The one error type of the converter: every refusal (unsupported op or
// attribute, bad file, bad shape) is a ConvertError whose message names what
// could not be converted, never a crash and never a silently wrong graph.
#pragma once

#include <stdexcept>
#include <string>

namespace dyad::convert {

class ConvertError : public std::runtime_error {
 public:
  explicit ConvertError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace dyad::convert
