// Tests of ref::concat, ref::slice, ref::transpose and ref::pad: hand-derived
// tiny cases plus random shapes against a naive multi-index golden, for
// element sizes 1, 2 and 4; and their *_range forms: any range writes exactly
// its output elements, equal to the whole op's.
#include <cstdint>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/common/params.h"
#include "kernels/reference/reference.h"
#include "tests/unit/golden.h"
#include "tests/unit/ref_split_check.h"

namespace dyad {
namespace {

Shape movement_shape(const std::vector<int32_t>& dims) {
  Shape s;
  s.rank = static_cast<int>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) s.dims[i] = dims[i];
  return s;
}

// Multi-index of flat index `flat` in shape s (last dim fastest).
std::vector<int64_t> movement_unflatten(const Shape& s, int64_t flat) {
  std::vector<int64_t> idx(s.rank);
  for (int d = s.rank - 1; d >= 0; --d) {
    idx[d] = flat % s.dims[d];
    flat /= s.dims[d];
  }
  return idx;
}

int64_t movement_flatten(const Shape& s, const std::vector<int64_t>& idx) {
  int64_t flat = 0;
  for (int d = 0; d < s.rank; ++d) flat = flat * s.dims[d] + idx[d];
  return flat;
}

// Distinct element values, stored as `bytes`-wide little-endian integers.
std::vector<uint8_t> movement_iota(int64_t count, size_t bytes, int64_t first) {
  std::vector<uint8_t> data(static_cast<size_t>(count) * bytes);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t v = first + i * 7919;  // wide values to catch byte mix-ups
    std::memcpy(&data[static_cast<size_t>(i) * bytes], &v, bytes);
  }
  return data;
}

const uint8_t* movement_at(const std::vector<uint8_t>& d, int64_t i, size_t bytes) {
  return &d[static_cast<size_t>(i) * bytes];
}

TEST(RefDataMovement, HandDerivedTinyCases) {
  // Transpose [2,3] -> [3,2].
  TransposeParams t;
  t.in = movement_shape({2, 3});
  t.perm[0] = 1;
  t.perm[1] = 0;
  const int8_t tin[6] = {1, 2, 3, 4, 5, 6};
  int8_t tout[6];
  ref::transpose(t, tin, 1, tout);
  EXPECT_EQ(std::vector<int8_t>(tout, tout + 6), (std::vector<int8_t>{1, 4, 2, 5, 3, 6}));

  // Slice [5] from 4 with step -2 -> {in[4], in[2], in[0]}.
  SliceParams s;
  s.in = movement_shape({5});
  s.out = movement_shape({3});
  s.begin[0] = 4;
  s.step[0] = -2;
  const int16_t sin[5] = {10, 11, 12, 13, -14};
  int16_t sout[3];
  ref::slice(s, sin, 2, sout);
  EXPECT_EQ(std::vector<int16_t>(sout, sout + 3), (std::vector<int16_t>{-14, 12, 10}));

  // Pad [2,2] int8 by 1 before on each axis and 1 after on axis 1, value -128.
  PadParams p;
  p.in = movement_shape({2, 2});
  p.out = movement_shape({3, 4});
  p.before[0] = 1;
  p.before[1] = 1;
  p.pad_value = -128;
  const int8_t pin[4] = {1, 2, 3, 4};
  int8_t pout[12];
  ref::pad(p, pin, 1, pout);
  EXPECT_EQ(std::vector<int8_t>(pout, pout + 12),
            (std::vector<int8_t>{-128, -128, -128, -128, -128, 1, 2, -128, -128, 3, 4, -128}));

  // Concat [2,1] and [2,2] along axis 1.
  ConcatParams c;
  c.axis = 1;
  c.num_inputs = 2;
  c.out = movement_shape({2, 3});
  const int32_t c0[2] = {1, 2};
  const int32_t c1[4] = {30, 40, 50, 60};
  const void* cin[2] = {c0, c1};
  const Shape cshapes[2] = {movement_shape({2, 1}), movement_shape({2, 2})};
  int32_t cout_[6];
  ref::concat(c, cin, cshapes, 4, cout_);
  EXPECT_EQ(std::vector<int32_t>(cout_, cout_ + 6), (std::vector<int32_t>{1, 30, 40, 2, 50, 60}));
}

// 1 to 4 random inputs of a Concat along `axis` with the other dims of
// `base` (the second input may be empty), each an iota from a different
// start, so every output byte shows which input it came from.
struct RandomConcat {
  ConcatParams p;
  std::vector<Shape> shapes;
  std::vector<std::vector<uint8_t>> datas;
  std::vector<const void*> ptrs;

  RandomConcat(std::mt19937& rng, const std::vector<int32_t>& base, int axis, size_t bytes) {
    const int num = golden::uniform_int(rng, 1, 4);
    int32_t total = 0;
    for (int i = 0; i < num; ++i) {
      std::vector<int32_t> dims = base;
      dims[axis] = golden::uniform_int(rng, i == 1 ? 0 : 1, 3);
      total += dims[axis];
      shapes.push_back(movement_shape(dims));
      datas.push_back(movement_iota(shapes.back().elements(), bytes, 1000 * (i + 1)));
    }
    std::vector<int32_t> out_dims = base;
    out_dims[axis] = total;
    p.axis = axis;
    p.num_inputs = num;
    p.out = movement_shape(out_dims);
    for (auto& d : datas) ptrs.push_back(d.data());
  }
};

TEST(RefDataMovement, ConcatAlongEveryAxis) {
  std::mt19937 rng(11);
  for (size_t bytes : {size_t{1}, size_t{2}, size_t{4}}) {
    for (int rank = 1; rank <= 5; ++rank) {
      for (int axis = 0; axis < rank; ++axis) {
        std::vector<int32_t> base(rank);
        for (auto& d : base) d = golden::uniform_int(rng, 1, 4);
        const RandomConcat rc(rng, base, axis, bytes);
        const ConcatParams& p = rc.p;
        const std::vector<Shape>& shapes = rc.shapes;
        const std::vector<std::vector<uint8_t>>& datas = rc.datas;
        const std::vector<const void*>& ptrs = rc.ptrs;
        std::vector<uint8_t> out(static_cast<size_t>(p.out.elements()) * bytes);
        ref::concat(p, ptrs.data(), shapes.data(), bytes, out.data());
        // Golden: find which input owns each output's index along axis.
        for (int64_t o = 0; o < p.out.elements(); ++o) {
          std::vector<int64_t> idx = movement_unflatten(p.out, o);
          int input = 0;
          while (idx[axis] >= shapes[input].dims[axis]) idx[axis] -= shapes[input++].dims[axis];
          const int64_t src = movement_flatten(shapes[input], idx);
          ASSERT_EQ(0, std::memcmp(movement_at(out, o, bytes), movement_at(datas[input], src, bytes),
                                   bytes))
              << "bytes " << bytes << " rank " << rank << " axis " << axis << " o " << o;
        }
      }
    }
  }
}

TEST(RefDataMovement, SliceRandomIncludingNegativeSteps) {
  std::mt19937 rng(12);
  for (size_t bytes : {size_t{1}, size_t{2}, size_t{4}}) {
    for (int trial = 0; trial < 60; ++trial) {
      const int rank = golden::uniform_int(rng, 1, 6);
      SliceParams p;
      p.in.rank = p.out.rank = rank;
      for (int d = 0; d < rank; ++d) {
        const int32_t len = golden::uniform_int(rng, 1, 6);
        p.in.dims[d] = len;
        int32_t step = golden::uniform_int(rng, 1, 3);
        if (golden::uniform_int(rng, 0, 1) == 1) step = -step;
        const int32_t begin = golden::uniform_int(rng, 0, len - 1);
        // Count of indices begin, begin+step, ... that stay inside [0, len).
        const int32_t room = step > 0 ? len - 1 - begin : begin;
        p.begin[d] = begin;
        p.step[d] = step;
        p.out.dims[d] = room / (step > 0 ? step : -step) + 1;
      }
      const auto in = movement_iota(p.in.elements(), bytes, -5000);
      std::vector<uint8_t> out(static_cast<size_t>(p.out.elements()) * bytes);
      ref::slice(p, in.data(), bytes, out.data());
      for (int64_t o = 0; o < p.out.elements(); ++o) {
        std::vector<int64_t> idx = movement_unflatten(p.out, o);
        for (int d = 0; d < rank; ++d) idx[d] = p.begin[d] + idx[d] * p.step[d];
        ASSERT_EQ(0, std::memcmp(movement_at(out, o, bytes),
                                 movement_at(in, movement_flatten(p.in, idx), bytes), bytes))
            << "trial " << trial << " o " << o;
      }
    }
  }
}

TEST(RefDataMovement, TransposeAllRank3PermsAndRandomHigherRanks) {
  std::mt19937 rng(13);
  for (size_t bytes : {size_t{1}, size_t{2}, size_t{4}}) {
    for (int rank = 1; rank <= 6; ++rank) {
      std::vector<int32_t> perm(rank);
      std::iota(perm.begin(), perm.end(), 0);
      int perms_checked = 0;
      int perm_number = 0;
      do {
        if (rank > 3 && perm_number++ % 7 != 0) continue;  // every 7th perm of big ranks
        TransposeParams p;
        p.in.rank = rank;
        for (int d = 0; d < rank; ++d) {
          p.in.dims[d] = golden::uniform_int(rng, 1, rank > 4 ? 3 : 5);
          p.perm[d] = perm[d];
        }
        Shape out_shape;
        out_shape.rank = rank;
        for (int d = 0; d < rank; ++d) out_shape.dims[d] = p.in.dims[perm[d]];
        const auto in = movement_iota(p.in.elements(), bytes, 77);
        std::vector<uint8_t> out(in.size());
        ref::transpose(p, in.data(), bytes, out.data());
        for (int64_t o = 0; o < out_shape.elements(); ++o) {
          const std::vector<int64_t> oi = movement_unflatten(out_shape, o);
          std::vector<int64_t> ii(rank);
          for (int d = 0; d < rank; ++d) ii[perm[d]] = oi[d];
          ASSERT_EQ(0, std::memcmp(movement_at(out, o, bytes),
                                   movement_at(in, movement_flatten(p.in, ii), bytes), bytes));
        }
        ++perms_checked;
      } while (std::next_permutation(perm.begin(), perm.end()));
      EXPECT_GT(perms_checked, 0);
    }
  }
}

TEST(RefDataMovement, PadEveryDtype) {
  std::mt19937 rng(14);
  struct PadType {
    size_t bytes;
    int32_t value;
    bool is_unsigned;
  };
  // int8 (-128 and 127), uint8 (255), int16 (-30000), int32 (-100000).
  const PadType types[] = {{1, -128, false}, {1, 127, false}, {1, 255, true},
                           {2, -30000, false}, {4, -100000, false}};
  for (const PadType& t : types) {
    for (int trial = 0; trial < 20; ++trial) {
      const int rank = golden::uniform_int(rng, 1, 5);
      PadParams p;
      p.in.rank = p.out.rank = rank;
      p.pad_value = t.value;
      for (int d = 0; d < rank; ++d) {
        p.in.dims[d] = golden::uniform_int(rng, 1, 4);
        p.before[d] = golden::uniform_int(rng, 0, 2);
        p.out.dims[d] = p.in.dims[d] + p.before[d] + golden::uniform_int(rng, 0, 2);
      }
      const auto in = movement_iota(p.in.elements(), t.bytes, 3);
      std::vector<uint8_t> out(static_cast<size_t>(p.out.elements()) * t.bytes, 0xAB);
      ref::pad(p, in.data(), t.bytes, out.data());
      for (int64_t o = 0; o < p.out.elements(); ++o) {
        std::vector<int64_t> idx = movement_unflatten(p.out, o);
        bool inside = true;
        for (int d = 0; d < rank; ++d) {
          idx[d] -= p.before[d];
          inside = inside && idx[d] >= 0 && idx[d] < p.in.dims[d];
        }
        int64_t got = 0;
        if (t.bytes == 1) {
          got = t.is_unsigned ? int64_t{out[o]} : int64_t{static_cast<int8_t>(out[o])};
        } else if (t.bytes == 2) {
          int16_t v;
          std::memcpy(&v, movement_at(out, o, 2), 2);
          got = v;
        } else {
          int32_t v;
          std::memcpy(&v, movement_at(out, o, 4), 4);
          got = v;
        }
        if (inside) {
          ASSERT_EQ(0, std::memcmp(movement_at(out, o, t.bytes),
                                   movement_at(in, movement_flatten(p.in, idx), t.bytes), t.bytes));
        } else {
          ASSERT_EQ(got, t.value) << "bytes " << t.bytes << " o " << o;
        }
      }
    }
  }
}

// ---- *_range: every range of output elements gives the whole op's bytes there
// and writes nothing else (so any split across threads gives the same bytes).

std::vector<int32_t> random_dims(std::mt19937& rng, int rank, int lo, int hi) {
  std::vector<int32_t> d(static_cast<size_t>(rank));
  for (auto& v : d) v = golden::uniform_int(rng, lo, hi);
  return d;
}

TEST(RefDataMovementRanges, ConcatAnyRangeMatchesWhole) {
  std::mt19937 rng(21);
  for (size_t bytes : {size_t{1}, size_t{2}, size_t{4}}) {
    for (int rank = 1; rank <= 4; ++rank) {
      for (int axis = 0; axis < rank; ++axis) {
        const std::vector<int32_t> base = random_dims(rng, rank, 1, 4);
        const RandomConcat rc(rng, base, axis, bytes);
        const ConcatParams& p = rc.p;
        const std::vector<Shape>& shapes = rc.shapes;
        const std::vector<const void*>& ptrs = rc.ptrs;
        std::vector<uint8_t> whole(static_cast<size_t>(p.out.elements()) * bytes);
        ref::concat(p, ptrs.data(), shapes.data(), bytes, whole.data());
        split_check::expect_ranges_match(
            p.out.elements(), bytes, whole,
            [&](int64_t b, int64_t e, uint8_t* out) {
              ref::concat_range(p, ptrs.data(), shapes.data(), bytes, out, b, e);
            },
            "concat bytes " + std::to_string(bytes) + " rank " + std::to_string(rank) +
                " axis " + std::to_string(axis));
      }
    }
  }
  // BlazeFace's channel concat (24 + 4 channels per pixel), int8.
  ConcatParams p;
  p.axis = 3;
  p.num_inputs = 2;
  p.out = movement_shape({1, 6, 5, 28});
  const Shape shapes[2] = {movement_shape({1, 6, 5, 24}), movement_shape({1, 6, 5, 4})};
  const auto a = movement_iota(shapes[0].elements(), 1, 1);
  const auto c = movement_iota(shapes[1].elements(), 1, 2);
  const void* ptrs[2] = {a.data(), c.data()};
  std::vector<uint8_t> whole(static_cast<size_t>(p.out.elements()));
  ref::concat(p, ptrs, shapes, 1, whole.data());
  split_check::expect_ranges_match(
      p.out.elements(), 1, whole,
      [&](int64_t b, int64_t e, uint8_t* out) { ref::concat_range(p, ptrs, shapes, 1, out, b, e); },
      "concat channels");
}

TEST(RefDataMovementRanges, SliceAnyRangeMatchesWhole) {
  std::mt19937 rng(22);
  for (size_t bytes : {size_t{1}, size_t{2}, size_t{4}}) {
    for (int trial = 0; trial < 30; ++trial) {
      const int rank = golden::uniform_int(rng, 1, 5);
      SliceParams p;
      p.in.rank = p.out.rank = rank;
      for (int d = 0; d < rank; ++d) {
        const int32_t len = golden::uniform_int(rng, 1, 6);
        p.in.dims[d] = len;
        int32_t step = golden::uniform_int(rng, 1, 2);  // unit steps often: the memcpy path
        if (golden::uniform_int(rng, 0, 2) == 0) step = -step;
        const int32_t begin = golden::uniform_int(rng, 0, len - 1);
        const int32_t room = step > 0 ? len - 1 - begin : begin;
        p.begin[d] = begin;
        p.step[d] = step;
        p.out.dims[d] = room / (step > 0 ? step : -step) + 1;
      }
      const auto in = movement_iota(p.in.elements(), bytes, -5000);
      std::vector<uint8_t> whole(static_cast<size_t>(p.out.elements()) * bytes);
      ref::slice(p, in.data(), bytes, whole.data());
      split_check::expect_ranges_match(
          p.out.elements(), bytes, whole,
          [&](int64_t b, int64_t e, uint8_t* out) {
            ref::slice_range(p, in.data(), bytes, out, b, e);
          },
          "slice trial " + std::to_string(trial));
    }
  }
}

TEST(RefDataMovementRanges, TransposeAnyRangeMatchesWhole) {
  std::mt19937 rng(23);
  for (size_t bytes : {size_t{1}, size_t{2}, size_t{4}}) {
    for (int rank = 1; rank <= 5; ++rank) {
      std::vector<int32_t> perm(static_cast<size_t>(rank));
      std::iota(perm.begin(), perm.end(), 0);
      int perm_number = 0;
      do {
        if (rank > 3 && perm_number++ % 11 != 0) continue;
        TransposeParams p;
        p.in = movement_shape(random_dims(rng, rank, 1, rank > 3 ? 3 : 5));
        for (int d = 0; d < rank; ++d) p.perm[d] = perm[static_cast<size_t>(d)];
        const auto in = movement_iota(p.in.elements(), bytes, 77);
        std::vector<uint8_t> whole(in.size());
        ref::transpose(p, in.data(), bytes, whole.data());
        split_check::expect_ranges_match(
            p.in.elements(), bytes, whole,
            [&](int64_t b, int64_t e, uint8_t* out) {
              ref::transpose_range(p, in.data(), bytes, out, b, e);
            },
            "transpose rank " + std::to_string(rank));
      } while (std::next_permutation(perm.begin(), perm.end()));
    }
  }
}

TEST(RefDataMovementRanges, PadAnyRangeMatchesWhole) {
  std::mt19937 rng(24);
  for (size_t bytes : {size_t{1}, size_t{2}, size_t{4}}) {
    for (int trial = 0; trial < 30; ++trial) {
      const int rank = golden::uniform_int(rng, 1, 4);
      PadParams p;
      p.in.rank = p.out.rank = rank;
      p.pad_value = bytes == 1 ? -100 : -30000;
      for (int d = 0; d < rank; ++d) {
        p.in.dims[d] = golden::uniform_int(rng, 1, 4);
        p.before[d] = golden::uniform_int(rng, 0, 2);
        p.out.dims[d] = p.in.dims[d] + p.before[d] + golden::uniform_int(rng, 0, 2);
      }
      const auto in = movement_iota(p.in.elements(), bytes, 3);
      std::vector<uint8_t> whole(static_cast<size_t>(p.out.elements()) * bytes);
      ref::pad(p, in.data(), bytes, whole.data());
      split_check::expect_ranges_match(
          p.out.elements(), bytes, whole,
          [&](int64_t b, int64_t e, uint8_t* out) { ref::pad_range(p, in.data(), bytes, out, b, e); },
          "pad trial " + std::to_string(trial));
    }
  }
  // NHWC padded on H and W only (one input row per output row), and on C only.
  for (const auto& pads : {std::vector<int32_t>{0, 1, 2, 0, 0, 2, 1, 0},
                           std::vector<int32_t>{0, 0, 0, 3, 0, 0, 0, 5}}) {
    PadParams p;
    p.in = movement_shape({2, 3, 4, 5});
    p.out = p.in;
    for (int d = 0; d < 4; ++d) {
      p.before[d] = pads[static_cast<size_t>(d)];
      p.out.dims[d] += pads[static_cast<size_t>(d)] + pads[static_cast<size_t>(d + 4)];
    }
    p.pad_value = 7;
    const auto in = movement_iota(p.in.elements(), 1, 3);
    std::vector<uint8_t> whole(static_cast<size_t>(p.out.elements()));
    ref::pad(p, in.data(), 1, whole.data());
    split_check::expect_ranges_match(
        p.out.elements(), 1, whole,
        [&](int64_t b, int64_t e, uint8_t* out) { ref::pad_range(p, in.data(), 1, out, b, e); },
        "pad nhwc");
  }
}

}  // namespace
}  // namespace dyad
