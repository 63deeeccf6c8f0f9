#include "converter/cli/npy.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "converter/ir/error.h"

namespace dyad::convert {

int64_t NpyArray::count() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::vector<float> NpyArray::AsFloat() const {
  const int64_t n = count();
  std::vector<float> out(n);
  for (int64_t k = 0; k < n; ++k) {
    if (dtype == "f4") {
      std::memcpy(&out[k], &bytes[k * 4], 4);
    } else if (dtype == "u1") {
      out[k] = bytes[k];
    } else if (dtype == "i1") {
      out[k] = static_cast<int8_t>(bytes[k]);
    } else if (dtype == "i2") {
      int16_t v;
      std::memcpy(&v, &bytes[k * 2], 2);
      out[k] = v;
    } else if (dtype == "i4") {
      int32_t v;
      std::memcpy(&v, &bytes[k * 4], 4);
      out[k] = static_cast<float>(v);
    }
  }
  return out;
}

namespace {

size_t ElemSize(const std::string& d) {
  if (d == "f4" || d == "i4") return 4;
  if (d == "i2") return 2;
  if (d == "f8") return 8;
  return 1;
}

// Value of 'key': ... in the header dict (up to the next ',' or '}' outside parens).
std::string HeaderField(const std::string& h, const std::string& key, const std::string& path) {
  const size_t k = h.find("'" + key + "'");
  if (k == std::string::npos) throw ConvertError(path + ": .npy header has no '" + key + "'");
  size_t c = h.find(':', k);
  size_t e = c + 1;
  int depth = 0;
  for (; e < h.size(); ++e) {
    if (h[e] == '(') ++depth;
    if (h[e] == ')') --depth;
    if (depth == 0 && (h[e] == ',' || h[e] == '}')) break;
    if (depth < 0) break;
  }
  if (h[e] == ')') ++e;
  std::string v = h.substr(c + 1, e - c - 1);
  const size_t a = v.find_first_not_of(" "), b = v.find_last_not_of(" ");
  return a == std::string::npos ? "" : v.substr(a, b - a + 1);
}

}  // namespace

NpyArray ReadNpy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ConvertError(path + ": cannot open .npy file");
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (all.size() < 10 || all.compare(0, 6, "\x93NUMPY") != 0) throw ConvertError(path + ": not a .npy file");
  const int major = static_cast<uint8_t>(all[6]);
  size_t hlen, start;
  if (major == 1) {
    hlen = static_cast<uint8_t>(all[8]) | (static_cast<uint8_t>(all[9]) << 8);
    start = 10;
  } else {
    if (all.size() < 12) throw ConvertError(path + ": truncated .npy header");
    hlen = 0;
    for (int k = 0; k < 4; ++k) hlen |= static_cast<size_t>(static_cast<uint8_t>(all[8 + k])) << (8 * k);
    start = 12;
  }
  if (start + hlen > all.size()) throw ConvertError(path + ": truncated .npy header");
  const std::string h = all.substr(start, hlen);
  std::string descr = HeaderField(h, "descr", path);
  if (descr.size() < 3) throw ConvertError(path + ": bad dtype " + descr);
  descr = descr.substr(1, descr.size() - 2);
  if (descr[0] == '>' && descr.substr(1) != "u1" && descr.substr(1) != "i1")
    throw ConvertError(path + ": big-endian .npy is not supported");
  std::string code = descr.substr(1);
  if (code != "f4" && code != "f8" && code != "u1" && code != "i1" && code != "i2" && code != "i4")
    throw ConvertError(path + ": dtype '" + descr + "' is not supported (float32, uint8, int8, int16, int32)");
  if (HeaderField(h, "fortran_order", path) != "False") throw ConvertError(path + ": Fortran-order .npy is not supported");
  std::string shape = HeaderField(h, "shape", path);
  NpyArray a;
  a.dtype = code;
  std::stringstream ss(shape.substr(1, shape.size() - 2));
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.find_first_not_of(" ") == std::string::npos) continue;
    a.shape.push_back(std::stoll(item));
  }
  const size_t data_start = start + hlen;
  const size_t need = static_cast<size_t>(a.count()) * ElemSize(code);
  if (all.size() - data_start < need) throw ConvertError(path + ": .npy data is truncated");
  a.bytes.assign(all.begin() + data_start, all.begin() + data_start + need);
  if (code == "f8") {
    std::vector<uint8_t> f4(a.count() * 4);
    for (int64_t k = 0; k < a.count(); ++k) {
      double d;
      std::memcpy(&d, &a.bytes[k * 8], 8);
      const float v = static_cast<float>(d);
      std::memcpy(&f4[k * 4], &v, 4);
    }
    a.bytes = std::move(f4);
    a.dtype = "f4";
  }
  return a;
}

void WriteNpy(const std::string& path, const NpyArray& a) {
  std::string shape = "(";
  for (size_t k = 0; k < a.shape.size(); ++k) shape += std::to_string(a.shape[k]) + (a.shape.size() == 1 || k + 1 < a.shape.size() ? ", " : "");
  if (a.shape.size() > 1) shape.resize(shape.size());
  shape += ")";
  const char* endian = (a.dtype == "u1" || a.dtype == "i1") ? "|" : "<";
  std::string h = std::string("{'descr': '") + endian + a.dtype + "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + h.size() + 1) % 64 != 0) h += ' ';
  h += '\n';
  std::ofstream f(path, std::ios::binary);
  if (!f) throw ConvertError(path + ": cannot write");
  f.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(h.size());
  const char lb[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  f.write(lb, 2);
  f.write(h.data(), h.size());
  f.write(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size());
  if (!f) throw ConvertError(path + ": write failed");
}

NpyArray MakeNpyF32(const std::vector<int64_t>& shape, const std::vector<float>& data) {
  NpyArray a;
  a.dtype = "f4";
  a.shape = shape;
  a.bytes.resize(data.size() * 4);
  std::memcpy(a.bytes.data(), data.data(), a.bytes.size());
  return a;
}

}  // namespace dyad::convert
