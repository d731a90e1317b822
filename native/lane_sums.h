// Sums and maxima of a row in independent lanes, for the float row kernels.
//
// A running sum is one chain of dependent additions, which neither
// vectorizes nor overlaps. Here element i goes to lane i % kLanes, each lane
// keeps its own sum (with its rounding errors, for the compensated sum), and
// the lanes are folded together at the end in a fixed order. The lanes are
// the same at every instruction level, whatever its vector width, so every
// level adds the same numbers in the same order and gives the same bits.

#ifndef ACTIVATIONS_LANE_SUMS_H_
#define ACTIVATIONS_LANE_SUMS_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "double_math.h"

namespace act {
namespace {
namespace lanes {

// The lanes are GCC's (and clang's) generic vectors, 64 bytes each, which
// the compiler maps to the level's registers (four SSE2 registers, two AVX2
// ones, one AVX-512 one) with the same arithmetic in every lane: written as
// arrays, the lane loops are unrolled and then left scalar.
constexpr size_t kVectorBytes = 64;
typedef double Doubles __attribute__((vector_size(kVectorBytes)));
typedef float Floats __attribute__((vector_size(kVectorBytes)));

template <typename T>
struct VectorOf;
template <>
struct VectorOf<double> {
  using Type = Doubles;
};
template <>
struct VectorOf<float> {
  using Type = Floats;
};

// Two vectors of doubles: with two independent chains the additions'
// latency is hidden.
constexpr size_t kDoubleLanes = kVectorBytes / sizeof(double);
constexpr size_t kLanes = 2 * kDoubleLanes;

// Vectors go by reference: passed by value, a 64-byte vector would take a
// different calling convention at each level (the helpers are inlined, but
// GCC warns all the same).
template <typename V>
ACT_INLINE void Load(V& v, const void* p) {
  std::memcpy(&v, p, sizeof v);
}

// a + b and its rounding error, lane by lane (TwoSum).
ACT_INLINE void TwoSumInto(Doubles& high, Doubles& low, const void* terms) {
  Doubles term;
  Load(term, terms);
  const Doubles s = high + term;
  const Doubles bb = s - high;
  low += (high - (s - bb)) + (term - bb);
  high = s;
}

// The sum of terms[0], ..., terms[n - 1] with Neumaier's compensation in
// every lane (one TwoSum per term, the errors added up apart): for float
// rows, whose terms are exact products or exponentials, the result is
// within n^2 2^-106 of the sum of the terms' magnitudes. The lanes fold
// pairwise, each fold a TwoSum of the high parts with the low parts and its
// error added. Once the sum is infinite or NaN its high part is the plain
// sum and the error is dropped.
ACT_INLINE dd::DD CompensatedSum(const double* terms, size_t n) {
  double high_sum = 0.0;
  double low_sum = 0.0;
  size_t i = 0;

  // A row shorter than the lanes is summed in order, in one lane: the
  // vectors would only be set up and folded.
  if (n >= kLanes) {
    Doubles high_first = {};
    Doubles high_second = {};
    Doubles low_first = {};
    Doubles low_second = {};
    for (; i + kLanes <= n; i += kLanes) {
      TwoSumInto(high_first, low_first, terms + i);
      TwoSumInto(high_second, low_second, terms + i + kDoubleLanes);
    }
    low_first += low_second;
    TwoSumInto(high_first, low_first, &high_second);

    double high[kDoubleLanes];
    double low[kDoubleLanes];
    std::memcpy(high, &high_first, sizeof high);
    std::memcpy(low, &low_first, sizeof low);
    for (size_t half = kDoubleLanes / 2; half > 0; half /= 2) {
      for (size_t l = 0; l < half; ++l) {
        const dd::DD s = dd::TwoSum(high[l], high[l + half]);
        high[l] = s.hi;
        low[l] = (low[l] + low[l + half]) + s.lo;
      }
    }
    high_sum = high[0];
    low_sum = low[0];
  }

  for (; i < n; ++i) {
    const dd::DD s = dd::TwoSum(high_sum, terms[i]);
    high_sum = s.hi;
    low_sum += s.lo;
  }
  return dd::IsFinite(high_sum) ? dd::FastTwoSum(high_sum, low_sum)
                                : dd::DD{high_sum, 0.0};
}

// Two compensated sums added, or the plain sum once it is not finite.
ACT_INLINE dd::DD AddSums(dd::DD a, dd::DD b) {
  const double plain = a.hi + b.hi;
  return dd::IsFinite(plain) ? dd::Add(a, b) : dd::DD{plain, 0.0};
}

// The largest of row[0], ..., row[n - 1] as a double; NaN if one is NaN,
// -Infinity for an empty row. Compared in the row's own type, exactly, a
// vector of lanes at a time, with the NaNs kept apart.
template <typename T>
ACT_INLINE double Max(const T* row, size_t n) {
  using V = typename VectorOf<T>::Type;
  constexpr size_t kWidth = kVectorBytes / sizeof(T);
  T max = -__builtin_inf();
  T nan = 0;
  size_t i = 0;

  // A row shorter than a vector is taken in order.
  if (n >= kWidth) {
    V max_lanes = V{} - __builtin_inf();
    V nan_lanes = {};
    for (; i + kWidth <= n; i += kWidth) {
      V v;
      Load(v, row + i);
      max_lanes = v > max_lanes ? v : max_lanes;
      nan_lanes = v != v ? v : nan_lanes;
    }
    for (size_t l = 0; l < kWidth; ++l) {
      max = max_lanes[l] > max ? max_lanes[l] : max;
      nan = nan_lanes[l] != nan_lanes[l] ? nan_lanes[l] : nan;
    }
  }
  for (; i < n; ++i) {
    const T v = row[i];
    max = v > max ? v : max;
    nan = v != v ? v : nan;
  }
  return static_cast<double>(nan != nan ? nan : max);
}

}  // namespace lanes
}  // namespace
}  // namespace act

#endif  // ACTIVATIONS_LANE_SUMS_H_
