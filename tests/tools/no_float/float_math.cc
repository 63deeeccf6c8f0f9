// Fixture for the no-float self-test: real floating-point arithmetic, so
// check_no_float.sh must reject the library built from it.
#include <cmath>

extern "C" double fixture_float_math(double a, double b, float c) {
  return std::sqrt(a * b) + static_cast<double>(c / 3.0f);
}
