// Every float in a range through a float kernel, against the same function's
// double kernel rounded to float: the double kernels are within one ulp of
// double, so the rounded value is the correctly rounded float except where
// the exact value lies within 2^-29 of a float's midpoint. Prints, per
// kernel and sign, how many results are 0, 1, 2, 3 and 4 or more floats away
// from it, and the worst input; exits with 1 when any is more than the
// contract's 2 ulp away.
//
//   float_scan [lowest magnitude] [highest magnitude]
//
// scans ±[lowest, highest] (default 2^-30 to 200, about 630 million floats
// a sign) for the kernels that evaluate in float.

#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../activations.h"

namespace {

using Float32 = int32_t (*)(const float*, float*, size_t);
using Float64 = int32_t (*)(const double*, double*, size_t);

struct Kernel {
  const char* name;
  Float32 single;
  Float64 wide;
};

// The kernels with a parameter, at the default that takes the float path.
template <int32_t (*kernel)(const float*, float*, size_t, double)>
int32_t AtOne(const float* x, float* y, size_t n) {
  return kernel(x, y, n, 1);
}
template <int32_t (*kernel)(const double*, double*, size_t, double)>
int32_t AtOne(const double* x, double* y, size_t n) {
  return kernel(x, y, n, 1);
}

const Kernel kKernels[] = {
    {"sigmoid", act_sigmoid_f32, act_sigmoid_f64},
    {"tanh", act_tanh_f32, act_tanh_f64},
    {"silu", AtOne<act_silu_f32>, AtOne<act_silu_f64>},
    {"elu", AtOne<act_elu_f32>, AtOne<act_elu_f64>},
    {"selu", act_selu_f32, act_selu_f64},
    {"celu", AtOne<act_celu_f32>, AtOne<act_celu_f64>},
    {"gelu", act_gelu_f32, act_gelu_f64},
    {"gelu_tanh", act_gelu_tanh_f32, act_gelu_tanh_f64},
    {"softplus", AtOne<act_softplus_f32>, AtOne<act_softplus_f64>},
    {"softsign", act_softsign_f32, act_softsign_f64},
};

// Floats in the order of their values, as integers, so that the distance
// between two is their difference.
int64_t Ordinal(float f) {
  int32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits < 0 ? -static_cast<int64_t>(bits & 0x7fffffff) : bits;
}

float FromOrdinal(int64_t k) {
  const uint32_t bits = k < 0 ? static_cast<uint32_t>(-k) | 0x80000000u
                              : static_cast<uint32_t>(k);
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

struct Tally {
  uint64_t by_distance[5] = {};
  int64_t worst = 0;
  float worst_x = 0;
  float worst_got = 0;
  float worst_want = 0;
};

// Ordinals [first, last] through the kernel, a chunk at a time.
Tally Scan(const Kernel& kernel, int64_t first, int64_t last) {
  constexpr size_t kChunk = size_t{1} << 22;
  std::vector<float> x(kChunk), y(kChunk);
  std::vector<double> xd(kChunk), yd(kChunk);
  Tally tally;
  for (int64_t k = first; k <= last;) {
    size_t n = 0;
    for (; n < kChunk && k <= last; ++n, ++k) {
      x[n] = FromOrdinal(k);
      xd[n] = x[n];
    }
    kernel.single(x.data(), y.data(), n);
    kernel.wide(xd.data(), yd.data(), n);
    for (size_t i = 0; i < n; ++i) {
      const float want = static_cast<float>(yd[i]);
      if (std::isnan(want) && std::isnan(y[i])) continue;
      int64_t distance = std::llabs(Ordinal(y[i]) - Ordinal(want));
      if (std::isnan(want) != std::isnan(y[i])) distance = 4;
      if (distance > 4) distance = 4;
      ++tally.by_distance[distance];
      if (distance > tally.worst) {
        tally.worst = distance;
        tally.worst_x = x[i];
        tally.worst_got = y[i];
        tally.worst_want = want;
      }
    }
  }
  return tally;
}

}  // namespace

int main(int argc, char** argv) {
  const float lowest = argc > 1 ? std::strtof(argv[1], nullptr) : 0x1p-30f;
  const float highest = argc > 2 ? std::strtof(argv[2], nullptr) : 200.0f;
  if (!(lowest > 0 && lowest <= highest)) {
    std::fprintf(stderr, "expected 0 < lowest <= highest, got %g and %g\n",
                 lowest, highest);
    return 2;
  }

  bool within_contract = true;
  for (const Kernel& kernel : kKernels) {
    for (const float sign : {-1.0f, 1.0f}) {
      const int64_t a = Ordinal(sign * lowest);
      const int64_t b = Ordinal(sign * highest);
      const Tally t = Scan(kernel, a < b ? a : b, a < b ? b : a);
      std::printf(
          "%-9s %c[%g, %g]: off by 0: %" PRIu64 ", 1: %" PRIu64
          ", 2: %" PRIu64 ", 3: %" PRIu64 ", 4+: %" PRIu64,
          kernel.name, sign < 0 ? '-' : '+', lowest, highest,
          t.by_distance[0], t.by_distance[1], t.by_distance[2],
          t.by_distance[3], t.by_distance[4]);
      if (t.worst > 0) {
        std::printf("; worst at %.9g: %.9g for %.9g", t.worst_x, t.worst_got,
                    t.worst_want);
      }
      std::printf("\n");
      within_contract = within_contract && t.worst <= 2;
    }
  }
  return within_contract ? 0 : 1;
}
