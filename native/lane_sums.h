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

#include "double_math.h"

namespace act {
namespace {
namespace lanes {

// Two AVX-512 vectors of doubles: with two independent chains the
// additions' latency is hidden, and baseline SSE2 still has eight.
constexpr size_t kLanes = 16;

// The sum of term(0), ..., term(n - 1), each a double, with Neumaier's
// compensation in every lane (one TwoSum per term, the errors added up
// apart): for float rows, whose terms are exact products or exponentials,
// the result is within n^2 2^-106 of the sum of the terms' magnitudes.
// The lanes fold pairwise, each fold a TwoSum of the high parts with the
// low parts and its error added. Once the sum is infinite or NaN its high
// part is the plain sum and the error is dropped.
template <typename Term>
ACT_INLINE dd::DD CompensatedSum(size_t n, Term term) {
  double high[kLanes] = {};
  double low[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t l = 0; l < kLanes; ++l) {
      const dd::DD s = dd::TwoSum(high[l], term(i + l));
      high[l] = s.hi;
      low[l] += s.lo;
    }
  }
  for (size_t l = 0; i + l < n; ++l) {
    const dd::DD s = dd::TwoSum(high[l], term(i + l));
    high[l] = s.hi;
    low[l] += s.lo;
  }

  for (size_t half = kLanes / 2; half > 0; half /= 2) {
    for (size_t l = 0; l < half; ++l) {
      const dd::DD s = dd::TwoSum(high[l], high[l + half]);
      high[l] = s.hi;
      low[l] = (low[l] + low[l + half]) + s.lo;
    }
  }
  return dd::IsFinite(high[0]) ? dd::FastTwoSum(high[0], low[0])
                               : dd::DD{high[0], 0.0};
}

// The plain sum of term(0), ..., term(n - 1), the lanes folded pairwise:
// for n positive terms within (n - 1) 2^-53 of the sum, which is enough
// where nothing cancels.
template <typename Term>
ACT_INLINE double PlainSum(size_t n, Term term) {
  double sum[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t l = 0; l < kLanes; ++l) sum[l] += term(i + l);
  }
  for (size_t l = 0; i + l < n; ++l) sum[l] += term(i + l);

  for (size_t half = kLanes / 2; half > 0; half /= 2) {
    for (size_t l = 0; l < half; ++l) sum[l] += sum[l + half];
  }
  return sum[0];
}

// m or v, whichever is larger; v if it is NaN, and a NaN m stays.
ACT_INLINE double TakeMax(double m, double v) {
  return (v > m || v != v) ? v : m;
}

// The largest of row[0], ..., row[n - 1] as a double; NaN if one is NaN,
// -Infinity for an empty row.
template <typename T>
ACT_INLINE double Max(const T* row, size_t n) {
  constexpr double kInf = __builtin_inf();
  double max[kLanes];
  for (size_t l = 0; l < kLanes; ++l) max[l] = -kInf;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t l = 0; l < kLanes; ++l) {
      max[l] = TakeMax(max[l], static_cast<double>(row[i + l]));
    }
  }
  for (size_t l = 0; i + l < n; ++l) {
    max[l] = TakeMax(max[l], static_cast<double>(row[i + l]));
  }

  for (size_t half = kLanes / 2; half > 0; half /= 2) {
    for (size_t l = 0; l < half; ++l) {
      max[l] = TakeMax(max[l], max[l + half]);
    }
  }
  return max[0];
}

}  // namespace lanes
}  // namespace
}  // namespace act

#endif  // ACTIVATIONS_LANE_SUMS_H_
