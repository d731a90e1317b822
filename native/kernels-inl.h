// The kernels of one instruction-set level. Each kernels_<level>.cc defines
// ACT_LEVEL (a namespace name) and ACT_LEVEL_NAME (a string), then includes
// this file, and the compiler flags of that file decide which vector
// instructions the loops below compile to. No include guard: it is meant to
// be compiled once per level, and only once in each file.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "activation_math.h"
#include "kernels.h"
#include "lane_sums.h"

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#ifndef ACT_LEVEL
#error "define ACT_LEVEL and ACT_LEVEL_NAME before including kernels-inl.h"
#endif

namespace act {
namespace ACT_LEVEL {
namespace {

// Work goes through a block on the stack: the compute loop writes memory
// that nothing else aliases, so it vectorizes without run-time overlap
// checks whether or not the output is an input, and the block can then be
// written out with ordinary or with streaming stores.
constexpr size_t kBlock = 1024;

// Streaming stores write whole 64-byte lines from aligned addresses.
constexpr size_t kStreamAlignment = 64;

// Elements to handle before `p` reaches the streaming alignment, at most
// `n`; ordinary stores write them.
template <typename T>
size_t HeadBeforeAlignment(const T* p, size_t n) {
  const uintptr_t misalignment =
      reinterpret_cast<uintptr_t>(p) % kStreamAlignment;
  if (misalignment == 0) return 0;
  const size_t head = (kStreamAlignment - misalignment) / sizeof(T);
  return head < n ? head : n;
}

// Writes `count` elements with non-temporal stores; `dst` is aligned to
// kStreamAlignment. Where the level has no streaming store, a plain copy.
inline void StreamOut(float* dst, const float* src, size_t count) {
  size_t i = 0;
#if defined(__AVX512F__)
  for (; i + 16 <= count; i += 16) {
    _mm512_stream_ps(dst + i, _mm512_load_ps(src + i));
  }
#elif defined(__AVX__)
  for (; i + 8 <= count; i += 8) {
    _mm256_stream_ps(dst + i, _mm256_load_ps(src + i));
  }
#elif defined(__SSE2__)
  for (; i + 4 <= count; i += 4) _mm_stream_ps(dst + i, _mm_load_ps(src + i));
#endif
  std::memcpy(dst + i, src + i, (count - i) * sizeof(float));
}

inline void StreamOut(double* dst, const double* src, size_t count) {
  size_t i = 0;
#if defined(__AVX512F__)
  for (; i + 8 <= count; i += 8) {
    _mm512_stream_pd(dst + i, _mm512_load_pd(src + i));
  }
#elif defined(__AVX__)
  for (; i + 4 <= count; i += 4) {
    _mm256_stream_pd(dst + i, _mm256_load_pd(src + i));
  }
#elif defined(__SSE2__)
  for (; i + 2 <= count; i += 2) _mm_stream_pd(dst + i, _mm_load_pd(src + i));
#endif
  std::memcpy(dst + i, src + i, (count - i) * sizeof(double));
}

// Makes streaming stores visible to other threads before the kernel
// returns, as ordinary stores are.
inline void FinishStreaming() {
#if defined(__SSE2__)
  _mm_sfence();
#endif
}

// Runs `fill(start, count, block)`, which computes elements
// [start, start + count) into `block`, over all of [0, n), and writes each
// block to `out`. The first block ends where `out` reaches the streaming
// alignment, so that every later block starts aligned.
template <typename T, typename Fill>
void ForEachBlock(T* out, size_t n, Fill fill) {
  alignas(kStreamAlignment) T block[kBlock];
  const bool stream = g_stream_outputs;
  size_t start = 0;

  if (stream) {
    const size_t head = HeadBeforeAlignment(out, n);
    fill(size_t{0}, head, block);
    std::memcpy(out, block, head * sizeof(T));
    start = head;
  }

  while (start < n) {
    const size_t count = n - start < kBlock ? n - start : kBlock;
    fill(start, count, block);
    if (stream) {
      StreamOut(out + start, block, count);
    } else {
      std::memcpy(out + start, block, count * sizeof(T));
    }
    start += count;
  }
  if (stream) FinishStreaming();
}

// y[i] = f(x[i]), the function evaluated in the type it takes: double for
// most, float for the float functions of float_math.h (see
// activation_math.h).
template <typename T, typename F>
void MapUnary(const T* x, T* y, size_t n, F f) {
  ForEachBlock(y, n, [x, f](size_t start, size_t count, T* block) {
    const T* in = x + start;
    for (size_t i = 0; i < count; ++i) block[i] = static_cast<T>(f(in[i]));
  });
}

// dx[i] = backward(dy[i], x[i]), which gives dy[i] * f'(x[i]) rounded
// once to T. dy and x go in as T: a `backward` that takes doubles widens
// them itself, one that takes floats (the float gradients of
// activation_math.h) evaluates in float and double as it needs.
template <typename T, typename F>
void MapGradient(const T* dy, const T* x, T* dx, size_t n, F backward) {
  ForEachBlock(dx, n, [dy, x, backward](size_t start, size_t count,
                                        T* block) {
    const T* upstream = dy + start;
    const T* in = x + start;
    for (size_t i = 0; i < count; ++i) {
      block[i] = static_cast<T>(backward(upstream[i], in[i]));
    }
  });
}

// ReLU and ReLU6 need no widening and read nothing but x: below the
// streaming size they run straight from x to y, in place on a loop of their
// own so that the compiler needs no overlap check to vectorize.
template <typename T, typename F>
void MapExact(const T* x, T* y, size_t n, F f) {
  if (g_stream_outputs) {
    ForEachBlock(y, n, [x, f](size_t start, size_t count, T* block) {
      const T* in = x + start;
      for (size_t i = 0; i < count; ++i) block[i] = f(in[i]);
    });
  } else if (x == y) {
    for (size_t i = 0; i < n; ++i) y[i] = f(y[i]);
  } else {
    for (size_t i = 0; i < n; ++i) y[i] = f(x[i]);
  }
}

template <typename T>
void Copy(const T* x, T* y, size_t n, bool streaming) {
  if (!streaming) {
    std::memmove(y, x, n * sizeof(T));
    return;
  }
  const size_t head = HeadBeforeAlignment(y, n);
  std::memcpy(y, x, head * sizeof(T));
  size_t i = head;

  // Streaming stores read from a block, since x may not share y's
  // alignment.
  alignas(kStreamAlignment) T block[kBlock];
  while (i < n) {
    const size_t count = n - i < kBlock ? n - i : kBlock;
    std::memcpy(block, x + i, count * sizeof(T));
    StreamOut(y + i, block, count);
    i += count;
  }
  FinishStreaming();
}

// The lambdas below carry a whole function each, inlined: left to itself
// the compiler calls them out of line, and the loops around them no longer
// vectorize.
#if defined(__GNUC__) || defined(__clang__)
#define ACT_LAMBDA_INLINE __attribute__((always_inline))
#else
#define ACT_LAMBDA_INLINE
#endif

// The functions of each element type: float evaluates in double with the
// branch-free vector pieces, double in double-double (see
// activation_math.h).
template <typename T>
struct FunctionsFor;
template <>
struct FunctionsFor<float> {
  using Type = FloatFunctions;
};
template <>
struct FunctionsFor<double> {
  using Type = DoubleFunctions;
};

// ---------------------------------------------------------------------------
// The elementwise kernels, generic over the element type.

template <typename T>
struct Kernels {
  using F = typename FunctionsFor<T>::Type;

  static void relu(const T* x, T* y, size_t n) {
    MapExact(x, y, n, [](T v) ACT_LAMBDA_INLINE { return Relu(v); });
  }
  static void relu6(const T* x, T* y, size_t n) {
    MapExact(x, y, n, [](T v) ACT_LAMBDA_INLINE { return Relu6(v); });
  }
  static void selu(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](T v) ACT_LAMBDA_INLINE { return F::Selu(v); });
  }
  static void gelu(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](T v) ACT_LAMBDA_INLINE { return F::Gelu(v); });
  }
  static void gelu_tanh(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](T v) ACT_LAMBDA_INLINE { return F::GeluTanh(v); });
  }
  static void mish(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](double v) ACT_LAMBDA_INLINE { return F::Mish(v); });
  }
  static void sigmoid(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](T v) ACT_LAMBDA_INLINE { return F::Sigmoid(v); });
  }
  static void hard_swish(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](T v) ACT_LAMBDA_INLINE { return F::HardSwish(v); });
  }
  static void tanh(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](T v) ACT_LAMBDA_INLINE { return F::Tanh(v); });
  }
  static void softsign(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](T v) ACT_LAMBDA_INLINE { return F::Softsign(v); });
  }

  static void relu_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](T g, T v) ACT_LAMBDA_INLINE { return ReluGrad(g, v); });
  }
  static void relu6_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](T g, T v) ACT_LAMBDA_INLINE { return Relu6Grad(g, v); });
  }
  static void selu_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](T g, T v) ACT_LAMBDA_INLINE { return F::SeluGrad(g, v); });
  }
  static void gelu_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](double g, double v) ACT_LAMBDA_INLINE { return F::GeluGrad(g, v); });
  }
  static void gelu_tanh_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](double g, double v) ACT_LAMBDA_INLINE { return F::GeluTanhGrad(g, v); });
  }
  static void mish_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](double g, double v) ACT_LAMBDA_INLINE { return F::MishGrad(g, v); });
  }
  static void sigmoid_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](T g, T v) ACT_LAMBDA_INLINE { return F::SigmoidGrad(g, v); });
  }
  static void hard_swish_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](T g, T v) ACT_LAMBDA_INLINE { return F::HardSwishGrad(g, v); });
  }
  static void tanh_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](T g, T v) ACT_LAMBDA_INLINE { return F::TanhGrad(g, v); });
  }
  static void softsign_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](double g, double v) ACT_LAMBDA_INLINE { return F::SoftsignGrad(g, v); });
  }

  // An alpha that is a float within float's range, for float arrays, or
  // the double alpha otherwise.
  static bool FloatAlpha(double alpha, float* alpha_float) {
    constexpr double kFloatMax = 3.4028234663852886e38;
    const bool in_range = alpha >= -kFloatMax && alpha <= kFloatMax;
    *alpha_float = static_cast<float>(in_range ? alpha : 0.0);
    return std::is_same<T, float>::value && in_range &&
           static_cast<double>(*alpha_float) == alpha;
  }

  static void leaky_relu(const T* x, T* y, size_t n, double alpha) {
    float alpha_float;
    if constexpr (std::is_same<T, float>::value) {
      if (FloatAlpha(alpha, &alpha_float)) {
        MapUnary(x, y, n, [alpha_float](float v) ACT_LAMBDA_INLINE {
          return F::LeakyReluFloatAlpha(v, alpha_float);
        });
        return;
      }
    }
    MapUnary(x, y, n, [alpha](double v) ACT_LAMBDA_INLINE { return LeakyRelu(v, alpha); });
  }
  static void elu(const T* x, T* y, size_t n, double alpha) {
    // An alpha within float's range converts without overflow.
    constexpr double kFloatMax = 3.4028234663852886e38;
    if constexpr (std::is_same<T, float>::value) {
      const bool in_range = alpha >= -kFloatMax && alpha <= kFloatMax;
      const float alpha_float = static_cast<float>(in_range ? alpha : 0.0);
      if (in_range && static_cast<double>(alpha_float) == alpha) {
        MapUnary(x, y, n, [alpha_float](float v) ACT_LAMBDA_INLINE {
          return F::EluFloatAlpha(v, alpha_float);
        });
        return;
      }
    }
    MapUnary(x, y, n, [alpha](T v) ACT_LAMBDA_INLINE { return F::Elu(v, alpha); });
  }
  // CELU with alpha 1 is ELU with alpha 1, and SiLU with beta 1 needs no
  // rounding of beta x: for floats both take the float functions.
  static void celu(const T* x, T* y, size_t n, double alpha) {
    if constexpr (std::is_same<T, float>::value) {
      if (alpha == 1) {
        MapUnary(x, y, n, [](float v) ACT_LAMBDA_INLINE { return F::EluFloatAlpha(v, 1.0f); });
        return;
      }
    }
    MapUnary(x, y, n, [alpha](double v) ACT_LAMBDA_INLINE { return F::Celu(v, alpha); });
  }
  static void silu(const T* x, T* y, size_t n, double beta) {
    if constexpr (std::is_same<T, float>::value) {
      if (beta == 1) {
        MapUnary(x, y, n, [](float v) ACT_LAMBDA_INLINE { return F::SiluUnitBeta(v); });
        return;
      }
    }
    MapUnary(x, y, n, [beta](double v) ACT_LAMBDA_INLINE { return F::Silu(v, beta); });
  }
  static void softplus(const T* x, T* y, size_t n, double beta) {
    if constexpr (std::is_same<T, float>::value) {
      if (beta == 1) {
        MapUnary(x, y, n, [](float v) ACT_LAMBDA_INLINE { return F::SoftplusUnitBeta(v); });
        return;
      }
    }
    MapUnary(x, y, n, [beta](double v) ACT_LAMBDA_INLINE { return F::Softplus(v, beta); });
  }

  static void leaky_relu_grad(const T* dy, const T* x, T* dx, size_t n,
                              double alpha) {
    float alpha_float;
    if constexpr (std::is_same<T, float>::value) {
      if (FloatAlpha(alpha, &alpha_float)) {
        MapGradient(dy, x, dx, n, [alpha_float](float g, float v)
                                      ACT_LAMBDA_INLINE {
          return F::LeakyReluGradFloatAlpha(g, v, alpha_float);
        });
        return;
      }
    }
    MapGradient(dy, x, dx, n, [alpha](double g, double v) ACT_LAMBDA_INLINE {
      return F::LeakyReluGrad(g, v, alpha);
    });
  }
  static void elu_grad(const T* dy, const T* x, T* dx, size_t n,
                       double alpha) {
    MapGradient(dy, x, dx, n, [alpha](T g, T v) ACT_LAMBDA_INLINE {
      return F::EluGrad(g, v, alpha);
    });
  }
  static void celu_grad(const T* dy, const T* x, T* dx, size_t n,
                        double alpha) {
    if constexpr (std::is_same<T, float>::value) {
      if (alpha == 1) {
        MapGradient(dy, x, dx, n, [](float g, float v) ACT_LAMBDA_INLINE {
          return F::CeluGradUnitAlpha(g, v);
        });
        return;
      }
    }
    MapGradient(dy, x, dx, n, [alpha](double g, double v) ACT_LAMBDA_INLINE {
      return F::CeluGrad(g, v, alpha);
    });
  }
  static void silu_grad(const T* dy, const T* x, T* dx, size_t n,
                        double beta) {
    MapGradient(dy, x, dx, n, [beta](double g, double v) ACT_LAMBDA_INLINE {
      return F::SiluGrad(g, v, beta);
    });
  }
  static void softplus_grad(const T* dy, const T* x, T* dx, size_t n,
                            double beta) {
    MapGradient(dy, x, dx, n, [beta](double g, double v) ACT_LAMBDA_INLINE {
      return F::SoftplusGrad(g, v, beta);
    });
  }

  // Float arrays prepare the line's parameters once per call.
  static void hard_sigmoid(const T* x, T* y, size_t n, double alpha,
                           double beta) {
    if constexpr (std::is_same<T, float>::value) {
      const FloatHardSigmoid h = FloatHardSigmoidOf(alpha, beta);
      MapUnary(x, y, n, [h](float v) ACT_LAMBDA_INLINE {
        return F::HardSigmoid(v, h);
      });
    } else {
      MapUnary(x, y, n, [alpha, beta](double v) ACT_LAMBDA_INLINE {
        return F::HardSigmoid(v, alpha, beta);
      });
    }
  }
  static void hard_sigmoid_grad(const T* dy, const T* x, T* dx, size_t n,
                                double alpha, double beta) {
    if constexpr (std::is_same<T, float>::value) {
      const FloatHardSigmoid h = FloatHardSigmoidOf(alpha, beta);
      MapGradient(dy, x, dx, n, [h](float g, float v) ACT_LAMBDA_INLINE {
        return F::HardSigmoidGrad(g, v, h);
      });
    } else {
      MapGradient(dy, x, dx, n, [alpha, beta](double g, double v) ACT_LAMBDA_INLINE {
        return F::HardSigmoidGrad(g, v, alpha, beta);
      });
    }
  }

  // PReLU in the element's own type: x * a rounds once, as it would in
  // double and then to T. The slope of element i is alpha[i % alpha_n];
  // rows shorter than a block are served from the slopes written out
  // again and again, so that each block of elements finds its slopes in
  // one run, without a division per element; a large output goes through
  // blocks, for the streaming stores.
  static void prelu(const T* x, T* y, size_t n, const T* alpha,
                    size_t alpha_n) {
    if (alpha_n >= kBlock) {
      ForEachRun(x, y, n, alpha_n, [alpha, alpha_n](const T* in, T* out,
                                                    size_t run, size_t at) {
        PreluRun(in, out, run, alpha + at % alpha_n);
      });
      return;
    }

    alignas(kStreamAlignment) T repeated[2 * kBlock];
    const size_t needed = (n < kBlock ? n : kBlock) + alpha_n;
    for (size_t i = 0; i < needed; i += alpha_n) {
      const size_t count = needed - i < alpha_n ? needed - i : alpha_n;
      std::memcpy(repeated + i, alpha, count * sizeof(T));
    }
    ForEachRun(x, y, n, kBlock, [&repeated, alpha_n](const T* in, T* out,
                                                     size_t run, size_t at) {
      PreluRun(in, out, run, repeated + at % alpha_n);
    });
  }

  static void PreluRun(const T* in, T* out, size_t count, const T* slopes) {
    if (in == out) {
      for (size_t j = 0; j < count; ++j) {
        const T v = out[j];
        out[j] = v < 0 ? v * slopes[j] : v;
      }
      return;
    }
    for (size_t j = 0; j < count; ++j) {
      const T v = in[j];
      out[j] = v < 0 ? v * slopes[j] : v;
    }
  }

  // Calls run(in, out, count, at) over [0, n) in runs that end at
  // multiples of `period`, `at` being the index of the run's first
  // element. Runs write `y` directly, or a block that streaming stores
  // then write.
  template <typename Run>
  static void ForEachRun(const T* x, T* y, size_t n, size_t period, Run run) {
    const auto fill = [=](size_t start, size_t count, T* out) {
      for (size_t done = 0; done < count;) {
        const size_t at = start + done;
        const size_t left = period - at % period;
        const size_t length = count - done < left ? count - done : left;
        run(x + at, out + done, length, at);
        done += length;
      }
    };
    if (g_stream_outputs) {
      ForEachBlock(y, n, fill);
    } else {
      fill(0, n, y);
    }
  }

  static void prelu_grad(const T* dy, const T* x, T* dx, size_t n,
                         const T* alpha, size_t alpha_n, T* dalpha);

  static void softmax(const T* x, T* y, size_t n, size_t axis_length);
  static void log_softmax(const T* x, T* y, size_t n, size_t axis_length);
  static void softmax_grad(const T* dy, const T* y, T* dx, size_t n,
                           size_t axis_length);
  static void log_softmax_grad(const T* dy, const T* y, T* dx, size_t n,
                               size_t axis_length);
};

// ---------------------------------------------------------------------------
// The row kernels. Float rows work in double with the lane sums of
// lane_sums.h, so that their loops vectorize; double rows work in
// double-double, which their 1-ulp contract needs.

// a * b with its error, by Dekker's splitting rather than a fused
// multiply-add, which the baseline level lacks (a call there would keep the
// loop from vectorizing). Exact for the magnitudes of float rows.
ACT_INLINE dd::DD SplitProduct(double a, double b) {
  constexpr double kSplitter = 134217729.0;  // 2^27 + 1
  const double a_scaled = kSplitter * a;
  const double a_high = a_scaled - (a_scaled - a);
  const double a_low = a - a_high;
  const double b_scaled = kSplitter * b;
  const double b_high = b_scaled - (b_scaled - b);
  const double b_low = b - b_high;
  const double p = a * b;
  const double error =
      ((a_high * b_high - p) + a_high * b_low + a_low * b_high) +
      a_low * b_low;
  return {p, error};
}

// g * v exactly: a double for floats (24 + 24 bits fit in 53), a
// double-double for doubles.
inline double DotTerm(float g, float v) {
  return static_cast<double>(g) * static_cast<double>(v);
}
inline dd::DD DotTerm(double g, double v) { return dd::ExactProduct(g, v); }

// Float slopes: each slope's sum is a compensated sum of exact products,
// its high and low parts in arrays indexed by slope, so that the loop over
// a row of slopes vectorizes.
inline void PreluGradRows(const float* dy, const float* x, float* dx,
                          size_t n, const float* alpha, size_t alpha_n,
                          float* dalpha) {
  constexpr size_t kGroup = 256;
  alignas(kStreamAlignment) double high[kGroup];
  alignas(kStreamAlignment) double low[kGroup];
  for (size_t first = 0; first < alpha_n; first += kGroup) {
    const size_t group = alpha_n - first < kGroup ? alpha_n - first : kGroup;
    for (size_t j = 0; j < group; ++j) high[j] = low[j] = 0.0;

    for (size_t start = first; start < n; start += alpha_n) {
      const size_t count = n - start < group ? n - start : group;
      const float* upstream = dy + start;
      const float* in = x + start;
      const float* slope = alpha + first;
      float* out = dx + start;
      for (size_t j = 0; j < count; ++j) {
        const double v = static_cast<double>(in[j]);
        const double g = static_cast<double>(upstream[j]);
        const double a = static_cast<double>(slope[j]);
        const dd::DD s = dd::TwoSum(high[j], v > 0 ? 0.0 : g * v);
        high[j] = s.hi;
        low[j] += s.lo;
        out[j] = static_cast<float>(v > 0 ? g : g * NanOr(v, a));
      }
    }
    for (size_t j = 0; j < group; ++j) {
      const double total =
          dd::IsFinite(high[j]) ? high[j] + low[j] : high[j];
      dalpha[first + j] = static_cast<float>(total);
    }
  }
}

template <typename T>
void Kernels<T>::prelu_grad(const T* dy, const T* x, T* dx, size_t n,
                            const T* alpha, size_t alpha_n, T* dalpha) {
  if constexpr (std::is_same<T, float>::value) {
    PreluGradRows(dy, x, dx, n, alpha, alpha_n, dalpha);
    return;
  }

  // Each slope's gradient sums over every alpha_n-th element, each product
  // with its error. Slopes are taken in groups that fit on the stack, and
  // alpha is read in full before a group's sums are written.
  constexpr size_t kGroup = 256;
  dd::Sum sums[kGroup];
  for (size_t first = 0; first < alpha_n; first += kGroup) {
    const size_t group = alpha_n - first < kGroup ? alpha_n - first : kGroup;
    for (size_t j = 0; j < group; ++j) sums[j] = dd::Sum();

    for (size_t row = 0; row + first < n; row += alpha_n) {
      for (size_t j = 0; j < group && row + first + j < n; ++j) {
        const size_t i = row + first + j;
        const double v = static_cast<double>(x[i]);
        const double g = static_cast<double>(dy[i]);
        const double a = static_cast<double>(alpha[first + j]);
        if (!(v > 0)) sums[j].Add(DotTerm(dy[i], x[i]));
        dx[i] = static_cast<T>(v > 0 ? g : g * NanOr(v, a));
      }
    }
    for (size_t j = 0; j < group; ++j) {
      dalpha[first + j] = static_cast<T>(dd::Value(sums[j].Total()));
    }
  }
}

// The compensated sum of term(0), ..., term(length - 1): the terms are
// written to `block` a block at a time by a loop that vectorizes, and
// summed there in lanes.
template <typename Term>
ACT_INLINE dd::DD RowSum(size_t length, double* block, Term term) {
  dd::DD sum = {0.0, 0.0};
  for (size_t start = 0; start < length; start += kBlock) {
    const size_t count = length - start < kBlock ? length - start : kBlock;
    for (size_t i = 0; i < count; ++i) block[i] = term(start + i);
    const dd::DD part = lanes::CompensatedSum(block, count);
    sum = start == 0 ? part : lanes::AddSums(sum, part);
  }
  return sum;
}

// e^(x - max) for a float x: x - max is exact in double. vec::Exp clamps
// its argument, so -Infinity is taken apart: its term is exactly 0.
ACT_INLINE double RowExp(float x, double max) {
  const double e = vf::ExpNonPositiveForFloat(static_cast<double>(x) - max);
  return x == -kInf ? 0.0 : e;
}

// A softmax row of floats: e^(x - max) through a block, so that the
// exponentials vectorize, summed in lanes with their errors; a row that
// fits in one block keeps them there for the division, a longer one takes
// them again rather than store them. Each output is e times the reciprocal
// of the sum, two roundings in double before the one to float.
inline void SoftmaxRow(const float* in, float* out, size_t length,
                       double* block) {
  const double max = lanes::Max(in, length);
  const auto term = [in, max](size_t i) ACT_LAMBDA_INLINE {
    return vf::ExpNonPositiveForFloat(static_cast<double>(in[i]) - max);
  };
  const dd::DD sum = RowSum(length, block, term);
  const double reciprocal = 1.0 / dd::Value(sum);
  if (length <= kBlock) {
    for (size_t i = 0; i < length; ++i) {
      out[i] = static_cast<float>(block[i] * reciprocal);
    }
    return;
  }
  for (size_t i = 0; i < length; ++i) {
    out[i] = static_cast<float>(
        vf::ExpNonPositiveForFloat(static_cast<double>(in[i]) - max) *
        reciprocal);
  }
}

// e^(x - max) with x - max exact as a double-double.
inline dd::Scaled RowExp(double x, double max) {
  return dd::Exp(dd::TwoSum(x, -max));
}

// A softmax row of doubles: the exponentials in double-double, their sum
// in double-double, each output e / sum rounded once. A row that fits in
// the block keeps its exponentials there, high parts in the block and low
// parts in `lows`; a longer one takes them again. (An exponential below
// the smallest normal double is kept at its subnormal precision, which
// moves the output by less than an ulp of its own.)
inline void SoftmaxRow(const double* in, double* out, size_t length,
                       double* block) {
  alignas(kStreamAlignment) double lows[kBlock];
  const bool keep = length <= kBlock;
  const double max = lanes::Max(in, length);
  dd::Sum sum;
  for (size_t i = 0; i < length; ++i) {
    const dd::DD e = dd::ToDD(RowExp(in[i], max));
    if (keep) {
      block[i] = e.hi;
      lows[i] = e.lo;
    }
    sum.Add(e);
  }
  const dd::DD total = sum.Total();
  for (size_t i = 0; i < length; ++i) {
    const dd::DD e = keep ? dd::DD{block[i], lows[i]}
                          : dd::ToDD(RowExp(in[i], max));
    out[i] = dd::Value(dd::Div(e, total));
  }
}

// log(1 + r) for a float row's r >= 0, in double without branches: the
// unit series below 1, which keeps the precision of a tiny r; above, 1 + r
// (rounded, an error under 2^-53 of the logarithm) as m 2^e, and
// e ln 2 + log(m). Relative error below 1e-12.
ACT_INLINE double LogOnePlus(double r) {
  constexpr double kLn2 = 0.6931471805599453;
  constexpr uint64_t kMantissa = (uint64_t{1} << 52) - 1;
  const uint64_t bits = static_cast<uint64_t>(vec::BitsOf(1.0 + r));
  const double exponent = static_cast<double>(bits >> 52) - 1023.0;
  const double m = vec::FromBits((bits & kMantissa) | (uint64_t{1023} << 52));
  // One series for either case: this runs once a row, where the two would
  // be twice the work of a short row's logarithm.
  const bool small = r < 1;
  const double base = small ? 0.0 : exponent * kLn2;
  return base + vec::Log1pUnit(small ? r : m - 1.0);
}

// A logSoftmax row of floats: the sum of e^(x - max) in lanes with its
// errors, less the maximum's own 1 (exactly, so that a row dominated by its
// maximum keeps the small terms), its logarithm in double once, and each
// output (x - max) - log(sum) in double, where both parts are at most 0 and
// nothing cancels. The cases are those of the double rows below.
inline void LogSoftmaxRow(const float* in, float* out, size_t length,
                          double* block) {
  const double max = lanes::Max(in, length);
  if (!dd::IsFinite(max)) {
    for (size_t i = 0; i < length; ++i) out[i] = NAN;
    return;
  }
  const auto term = [in, max](size_t i) ACT_LAMBDA_INLINE {
    return RowExp(in[i], max);
  };
  const dd::DD sum = RowSum(length, block, term);
  const double rest = dd::Value(dd::Add(sum, -1.0));
  const double log_sum = LogOnePlus(rest);
  const bool positive = rest > 0;
  for (size_t i = 0; i < length; ++i) {
    const double v = static_cast<double>(in[i]);
    const double d = (v - max) - log_sum;
    const double signed_d = d == 0 && positive ? -0.0 : d;
    out[i] = static_cast<float>(v == -kInf ? v : signed_d);
  }
}

inline dd::DD RowExpDD(double x, double max) {
  return dd::ToDD(RowExp(x, max));
}

// log(sum of e^(x - max)) as log1p of the sum without the maximum's own 1,
// so that a row dominated by its maximum keeps the small terms; and
// whether that sum has any term at all, since then the logarithm is
// positive even where it rounds to 0.
struct LogSum {
  dd::DD value;
  bool positive;
};

inline LogSum RowLogSum(const double* in, size_t length, double max) {
  dd::Sum rest;
  bool skipped = false;
  bool positive = false;
  for (size_t i = 0; i < length; ++i) {
    const double v = in[i];
    if (!skipped && v == max) {
      skipped = true;
      continue;
    }
    positive = positive || v > -kInf;
    rest.Add(RowExpDD(in[i], max));
  }
  const dd::DD r = rest.Total();
  const dd::DD log =
      r.hi < 1 ? dd::Log1p(r) : dd::LogAtLeastOne(dd::Add(r, 1.0));
  return {log, positive};
}

// (x - max) - log(sum), with x - max exact and the difference rounded once.
// A row whose maximum is not finite (a NaN, +Infinity, or all -Infinity) is
// all NaN, as TensorFlow.js gives.
inline void LogSoftmaxRow(const double* in, double* out, size_t length,
                          double*) {
  const double max = lanes::Max(in, length);
  if (!dd::IsFinite(max)) {
    for (size_t i = 0; i < length; ++i) out[i] = NAN;
    return;
  }
  const LogSum log_sum = RowLogSum(in, length, max);
  for (size_t i = 0; i < length; ++i) {
    const double v = in[i];
    const dd::DD shifted = dd::TwoSum(v, -max);
    // x - max may pass the largest double (-Infinity is then the answer)
    // or land next to it, where the double-double steps give NaN.
    const double d = dd::Fallback(
        dd::Value(dd::Add(shifted, dd::Negate(log_sum.value))),
        shifted.hi - log_sum.value.hi);
    // The maximum's own -log(sum) is negative when the sum has terms.
    const double signed_d = d == 0 && log_sum.positive ? -0.0 : d;
    out[i] = v == -kInf ? v : signed_d;
  }
}

// A softmaxGrad row of floats: y (dy - sum(dy y)), the products exact in
// double and summed in lanes with their errors, the difference taken from
// both parts of the sum, so that where it cancels (dy = 1, with the row's y
// summing to 1 within float rounding) it keeps its digits. Where infinities
// enter, the sum's error is 0 and this is the plain formula.
inline void SoftmaxGradRow(const float* dy, const float* y, float* dx,
                           size_t length, double* block) {
  const auto term = [dy, y](size_t i) ACT_LAMBDA_INLINE {
    return DotTerm(dy[i], y[i]);
  };
  const dd::DD total = RowSum(length, block, term);
  for (size_t i = 0; i < length; ++i) {
    const double g = static_cast<double>(dy[i]);
    const double p = static_cast<double>(y[i]);
    dx[i] = static_cast<float>(p * ((g - total.hi) - total.lo));
  }
}

// y (dy - sum(dy y)), the sum of exact products in double-double and the
// difference exact, so that only the product rounds. Where infinities
// enter, the plain formula.
inline void SoftmaxGradRow(const double* dy, const double* y, double* dx,
                           size_t length, double*) {
  dd::Sum dot;
  for (size_t i = 0; i < length; ++i) dot.Add(DotTerm(dy[i], y[i]));
  const dd::DD total = dot.Total();
  for (size_t i = 0; i < length; ++i) {
    const double g = dy[i];
    const double p = y[i];
    const double plain = p * (g - total.hi);
    const double exact = dd::Value(dd::Mul(dd::Add(dd::Negate(total), g), p));
    dx[i] = dd::IsFinite(plain) ? dd::Fallback(exact, plain) : plain;
  }
}

// e^y for a float y as (hi + lo) 2^k, with 2^k given as two factors that
// are normal doubles, relative error about 2^-58: logSoftmaxGrad's
// difference needs more than vec::Exp's 3e-13 where it cancels. y is
// clamped to +-1400, beyond which e^y times any float sum is 0 or infinite.
//
// y = k ln 2 + r with |r| <= ln2/2 as a double-double: ln 2 is split into
// two 32-bit parts and a rest, so that k times each part is exact and
// y - k ln2_1 is too (both are multiples of 2^-32 and the difference is
// below 1). e^r = 1 + r + r^2/2 + r^3 P(r), the first terms as
// double-doubles, P the Taylor series to r^11/14! in double (the first term
// left out, r^15/15!, is below 2^-63).
struct ScaledExp {
  dd::DD value;
  double scale_first;
  double scale_second;
};

ACT_INLINE ScaledExp AccurateExp(double y) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2First = 0.6931471806019545;
  constexpr double kLn2Second = -4.200915072890502e-11;
  constexpr double kLn2Rest = 2.0941744292700725e-21;
  // 1.5 * 2^52: adding it rounds to an integer held in the low bits.
  constexpr double kRoundingMagic = 6755399441055744.0;

  const double clamped = vec::AtMost(vec::AtLeast(y, -1400.0), 1400.0);
  const double shifted = clamped * kLog2e + kRoundingMagic;
  const double k = shifted - kRoundingMagic;
  dd::DD r = dd::TwoSum(clamped - k * kLn2First, -(k * kLn2Second));
  r.lo -= k * kLn2Rest;

  double p = 1.0 / 87178291200.0;
  p = p * r.hi + 1.0 / 6227020800.0;
  p = p * r.hi + 1.0 / 479001600.0;
  p = p * r.hi + 1.0 / 39916800.0;
  p = p * r.hi + 1.0 / 3628800.0;
  p = p * r.hi + 1.0 / 362880.0;
  p = p * r.hi + 1.0 / 40320.0;
  p = p * r.hi + 1.0 / 5040.0;
  p = p * r.hi + 1.0 / 720.0;
  p = p * r.hi + 1.0 / 120.0;
  p = p * r.hi + 1.0 / 24.0;
  p = p * r.hi + 1.0 / 6.0;
  const dd::DD square = SplitProduct(r.hi, r.hi);
  const double cube = square.hi * r.hi * p;
  const dd::DD linear = dd::FastTwoSum(1.0, r.hi);
  const dd::DD quadratic = dd::TwoSum(linear.hi, 0.5 * square.hi);
  const double low = linear.lo + quadratic.lo +
                     (r.lo + r.hi * r.lo + 0.5 * square.lo + cube);

  // 2^k as 2^k1 2^(k - k1) with k1 = k / 2 rounded, each within the
  // normal exponents, built from the bits as in vec::Exp.
  const double half_shifted = 0.5 * k + kRoundingMagic;
  const double k_first = half_shifted - kRoundingMagic;
  const double second_shifted = (k - k_first) + kRoundingMagic;
  const auto power = [](double magic_shifted) ACT_LAMBDA_INLINE {
    const uint64_t exponent =
        static_cast<uint64_t>(vec::BitsOf(magic_shifted) -
                              vec::BitsOf(kRoundingMagic)) +
        1023;
    return vec::FromBits(exponent << 52);
  };
  return {dd::FastTwoSum(quadratic.hi, low), power(half_shifted),
          power(second_shifted)};
}

// One element of a float logSoftmaxGrad row, dy - e^y sum(dy), the row's
// sum given: e^y and the product as double-doubles, since the difference
// cancels where a row's dy are alike. Where infinities enter, the plain
// formula.
ACT_INLINE float LogSoftmaxGradElement(double g, double y, dd::DD total) {
  const ScaledExp e = AccurateExp(y);
  const double first = e.scale_first;
  const double second = e.scale_second;
  const double plain = g - e.value.hi * first * second * total.hi;
  dd::DD product = SplitProduct(e.value.hi, total.hi);
  product.lo += e.value.hi * total.lo + e.value.lo * total.hi;
  product = {product.hi * first * second, product.lo * first * second};
  const double exact = dd::Value(dd::Add(dd::Negate(product), g));
  return static_cast<float>(
      dd::IsFinite(plain) ? dd::Fallback(exact, plain) : plain);
}

// A logSoftmaxGrad row of floats: dy - e^y sum(dy), the sum of dy in lanes
// with its errors, e^y and the product as double-doubles, since the
// difference cancels where a row's dy are alike. Where infinities enter,
// the plain formula.
inline void LogSoftmaxGradRow(const float* dy, const float* y, float* dx,
                              size_t length, double* block) {
  const dd::DD total = RowSum(length, block, [dy](size_t i) ACT_LAMBDA_INLINE {
    return static_cast<double>(dy[i]);
  });
  for (size_t i = 0; i < length; ++i) {
    dx[i] = LogSoftmaxGradElement(static_cast<double>(dy[i]),
                                  static_cast<double>(y[i]), total);
  }
}

// dy - e^y sum(dy), with e^y and the product in double-double, since the
// difference cancels where a row's dy are alike.
inline void LogSoftmaxGradRow(const double* dy, const double* y,
                              double* dx, size_t length, double*) {
  dd::Sum sum;
  for (size_t i = 0; i < length; ++i) sum.Add(dy[i]);
  const dd::DD total = sum.Total();
  for (size_t i = 0; i < length; ++i) {
    const double g = dy[i];
    const dd::Scaled p = dd::Exp(y[i]);
    const double plain = g - dd::Round(p) * total.hi;
    const dd::DD product = dd::ToDD(dd::Times(p, total));
    const double exact = dd::Value(dd::Add(dd::Negate(product), g));
    dx[i] = dd::IsFinite(plain) ? dd::Fallback(exact, plain) : plain;
  }
}

// Float rows that fit in the block go through it a chunk of whole rows at a
// time: each row's maximum and sum are found apart, but the exponentials
// and the outputs run over the whole chunk in one loop, with each row's
// constants spread over its elements, so that short rows vectorize as well
// as long ones. Every input of a chunk is read before any of its outputs is
// written, so the output may be an input.
template <typename Chunk>
void ForEachChunkOfRows(size_t n, size_t length, Chunk chunk) {
  const size_t rows = kBlock / length;
  const size_t elements = rows * length;
  for (size_t start = 0; start < n; start += elements) {
    chunk(start, n - start < elements ? n - start : elements);
  }
}

inline void SoftmaxRows(const float* x, float* y, size_t n, size_t length) {
  alignas(kStreamAlignment) double block[kBlock];
  alignas(kStreamAlignment) double scale[kBlock];
  ForEachChunkOfRows(n, length, [&](size_t start, size_t count) {
    const float* in = x + start;
    for (size_t row = 0; row < count; row += length) {
      const double max = lanes::Max(in + row, length);
      for (size_t j = row; j < row + length; ++j) {
        block[j] = static_cast<double>(in[j]) - max;
      }
    }
    for (size_t i = 0; i < count; ++i) {
      block[i] = vf::ExpNonPositiveForFloat(block[i]);
    }
    for (size_t row = 0; row < count; row += length) {
      const double sum = dd::Value(lanes::CompensatedSum(block + row, length));
      const double reciprocal = 1.0 / sum;
      for (size_t j = row; j < row + length; ++j) scale[j] = reciprocal;
    }
    float* out = y + start;
    for (size_t i = 0; i < count; ++i) {
      out[i] = static_cast<float>(block[i] * scale[i]);
    }
  });
}

// The row's maximum is spread as `shift`, NaN for a row whose maximum is
// not finite, which makes all its outputs NaN; the logarithm of its sum as
// `log`, positive when the sum has terms besides the maximum's own 1.
inline void LogSoftmaxRows(const float* x, float* y, size_t n,
                           size_t length) {
  alignas(kStreamAlignment) double block[kBlock];
  alignas(kStreamAlignment) double shift[kBlock];
  alignas(kStreamAlignment) double log[kBlock];
  ForEachChunkOfRows(n, length, [&](size_t start, size_t count) {
    const float* in = x + start;
    for (size_t row = 0; row < count; row += length) {
      const double max = lanes::Max(in + row, length);
      const double row_shift = dd::IsFinite(max) ? max : NAN;
      for (size_t j = row; j < row + length; ++j) {
        shift[j] = row_shift;
        block[j] = static_cast<double>(in[j]) - row_shift;
      }
    }
    // vec::Exp clamps its argument, so -Infinity is taken apart: its term
    // is exactly 0.
    for (size_t i = 0; i < count; ++i) {
      const double e = vf::ExpNonPositiveForFloat(block[i]);
      block[i] = block[i] == -kInf ? 0.0 : e;
    }
    for (size_t row = 0; row < count; row += length) {
      const dd::DD sum = lanes::CompensatedSum(block + row, length);
      const double rest = dd::Value(dd::Add(sum, -1.0));
      const double row_log = LogOnePlus(rest);
      for (size_t j = row; j < row + length; ++j) log[j] = row_log;
    }
    float* out = y + start;
    for (size_t i = 0; i < count; ++i) {
      const double v = static_cast<double>(in[i]);
      const double d = (v - shift[i]) - log[i];
      // The maximum's own -log(sum) is negative when the sum has terms.
      const double signed_d = d == 0 && log[i] > 0 ? -0.0 : d;
      const bool finite_row = shift[i] == shift[i];
      out[i] = static_cast<float>(v == -kInf && finite_row ? v : signed_d);
    }
  });
}

// Each row's compensated sum of `block`, spread over the row's elements as
// its high and low parts, for the gradients' per-element loops.
inline void SpreadRowSums(const double* block, size_t count, size_t length,
                          double* high, double* low) {
  for (size_t row = 0; row < count; row += length) {
    const dd::DD total = lanes::CompensatedSum(block + row, length);
    for (size_t j = row; j < row + length; ++j) {
      high[j] = total.hi;
      low[j] = total.lo;
    }
  }
}

inline void SoftmaxGradRows(const float* dy, const float* y, float* dx,
                            size_t n, size_t length) {
  alignas(kStreamAlignment) double block[kBlock];
  alignas(kStreamAlignment) double high[kBlock];
  alignas(kStreamAlignment) double low[kBlock];
  ForEachChunkOfRows(n, length, [&](size_t start, size_t count) {
    const float* upstream = dy + start;
    const float* in = y + start;
    for (size_t i = 0; i < count; ++i) {
      block[i] = DotTerm(upstream[i], in[i]);
    }
    SpreadRowSums(block, count, length, high, low);
    float* out = dx + start;
    for (size_t i = 0; i < count; ++i) {
      const double g = static_cast<double>(upstream[i]);
      const double p = static_cast<double>(in[i]);
      out[i] = static_cast<float>(p * ((g - high[i]) - low[i]));
    }
  });
}

inline void LogSoftmaxGradRows(const float* dy, const float* y, float* dx,
                               size_t n, size_t length) {
  alignas(kStreamAlignment) double block[kBlock];
  alignas(kStreamAlignment) double high[kBlock];
  alignas(kStreamAlignment) double low[kBlock];
  ForEachChunkOfRows(n, length, [&](size_t start, size_t count) {
    const float* upstream = dy + start;
    const float* in = y + start;
    for (size_t i = 0; i < count; ++i) {
      block[i] = static_cast<double>(upstream[i]);
    }
    SpreadRowSums(block, count, length, high, low);
    float* out = dx + start;
    for (size_t i = 0; i < count; ++i) {
      out[i] = LogSoftmaxGradElement(static_cast<double>(upstream[i]),
                                     static_cast<double>(in[i]),
                                     dd::DD{high[i], low[i]});
    }
  });
}

template <typename T>
void Kernels<T>::softmax(const T* x, T* y, size_t n, size_t axis_length) {
  if constexpr (std::is_same<T, float>::value) {
    if (axis_length <= kBlock) return SoftmaxRows(x, y, n, axis_length);
  }
  alignas(kStreamAlignment) double block[kBlock];
  for (size_t start = 0; start < n; start += axis_length) {
    SoftmaxRow(x + start, y + start, axis_length, block);
  }
}

template <typename T>
void Kernels<T>::log_softmax(const T* x, T* y, size_t n,
                             size_t axis_length) {
  if constexpr (std::is_same<T, float>::value) {
    if (axis_length <= kBlock) return LogSoftmaxRows(x, y, n, axis_length);
  }
  alignas(kStreamAlignment) double block[kBlock];
  for (size_t start = 0; start < n; start += axis_length) {
    LogSoftmaxRow(x + start, y + start, axis_length, block);
  }
}

template <typename T>
void Kernels<T>::softmax_grad(const T* dy, const T* y, T* dx, size_t n,
                              size_t axis_length) {
  if constexpr (std::is_same<T, float>::value) {
    if (axis_length <= kBlock) {
      return SoftmaxGradRows(dy, y, dx, n, axis_length);
    }
  }
  alignas(kStreamAlignment) double block[kBlock];
  for (size_t start = 0; start < n; start += axis_length) {
    SoftmaxGradRow(dy + start, y + start, dx + start, axis_length, block);
  }
}

template <typename T>
void Kernels<T>::log_softmax_grad(const T* dy, const T* y, T* dx, size_t n,
                                  size_t axis_length) {
  if constexpr (std::is_same<T, float>::value) {
    if (axis_length <= kBlock) {
      return LogSoftmaxGradRows(dy, y, dx, n, axis_length);
    }
  }
  alignas(kStreamAlignment) double block[kBlock];
  for (size_t start = 0; start < n; start += axis_length) {
    LogSoftmaxGradRow(dy + start, y + start, dx + start, axis_length,
                      block);
  }
}

template <typename T>
KernelSet<T> MakeSet() {
  KernelSet<T> set{};
#define ACT_PLAIN_ENTRY(name)          \
  set.name = &Kernels<T>::name;        \
  set.name##_grad = &Kernels<T>::name##_grad;
  ACT_PLAIN_FUNCTIONS(ACT_PLAIN_ENTRY)
  ACT_ONE_PARAMETER_FUNCTIONS(ACT_PLAIN_ENTRY)
#undef ACT_PLAIN_ENTRY
  set.hard_sigmoid = &Kernels<T>::hard_sigmoid;
  set.hard_sigmoid_grad = &Kernels<T>::hard_sigmoid_grad;
  set.prelu = &Kernels<T>::prelu;
  set.prelu_grad = &Kernels<T>::prelu_grad;
  set.softmax = &Kernels<T>::softmax;
  set.softmax_grad = &Kernels<T>::softmax_grad;
  set.log_softmax = &Kernels<T>::log_softmax;
  set.log_softmax_grad = &Kernels<T>::log_softmax_grad;
  set.copy = &Copy<T>;
  return set;
}

}  // namespace
}  // namespace ACT_LEVEL
}  // namespace act
