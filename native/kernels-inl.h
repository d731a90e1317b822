// The kernels of one instruction-set level. Each kernels_<level>.cc defines
// ACT_LEVEL (a namespace name) and ACT_LEVEL_NAME (a string), then includes
// this file, and the compiler flags of that file decide which vector
// instructions the loops below compile to. No include guard: it is meant to
// be compiled once per level, and only once in each file.

#include <cmath>
#include <cstdint>
#include <cstring>

#include "activation_math.h"
#include "kernels.h"

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

// y[i] = f(x[i]), the function evaluated in double (see activation_math.h).
template <typename T, typename F>
void MapUnary(const T* x, T* y, size_t n, F f) {
  ForEachBlock(y, n, [x, f](size_t start, size_t count, T* block) {
    const T* in = x + start;
    for (size_t i = 0; i < count; ++i) {
      block[i] = static_cast<T>(f(static_cast<double>(in[i])));
    }
  });
}

// dx[i] = dy[i] * f'(x[i]), the product taken in double and rounded once.
template <typename T, typename F>
void MapGradient(const T* dy, const T* x, T* dx, size_t n, F derivative) {
  ForEachBlock(dx, n, [dy, x, derivative](size_t start, size_t count,
                                          T* block) {
    const T* upstream = dy + start;
    const T* in = x + start;
    for (size_t i = 0; i < count; ++i) {
      const double slope = derivative(static_cast<double>(in[i]));
      block[i] = static_cast<T>(static_cast<double>(upstream[i]) * slope);
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

// The policy of each element type: float evaluates with the branch-free
// vector pieces, double with libm (see activation_math.h).
template <typename T>
struct MathFor;
template <>
struct MathFor<float> {
  using Type = VectorMath;
};
template <>
struct MathFor<double> {
  using Type = LibmMath;
};

// ---------------------------------------------------------------------------
// The elementwise kernels, generic over the element type.

template <typename T>
struct Kernels {
  using M = typename MathFor<T>::Type;

  static void relu(const T* x, T* y, size_t n) {
    MapExact(x, y, n, [](T v) { return Relu(v); });
  }
  static void relu6(const T* x, T* y, size_t n) {
    MapExact(x, y, n, [](T v) { return Relu6(v); });
  }
  static void selu(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](double v) { return Selu<M>(v); });
  }
  static void gelu(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](double v) { return GeluErf<M>(v); });
  }
  static void gelu_tanh(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](double v) { return GeluTanh<M>(v); });
  }
  static void mish(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](double v) { return Mish<M>(v); });
  }
  static void sigmoid(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](double v) { return Sigmoid<M>(v); });
  }
  static void hard_swish(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](double v) { return HardSwish(v); });
  }
  static void tanh(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](double v) { return Tanh<M>(v); });
  }
  static void softsign(const T* x, T* y, size_t n) {
    MapUnary(x, y, n, [](double v) { return Softsign(v); });
  }

  static void relu_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n, [](double v) { return ReluDerivative(v); });
  }
  static void relu6_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n, [](double v) { return Relu6Derivative(v); });
  }
  static void selu_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n, [](double v) { return SeluDerivative<M>(v); });
  }
  static void gelu_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](double v) { return GeluErfDerivative<M>(v); });
  }
  static void gelu_tanh_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](double v) { return GeluTanhDerivative<M>(v); });
  }
  static void mish_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n, [](double v) { return MishDerivative<M>(v); });
  }
  static void sigmoid_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](double v) { return SigmoidDerivative<M>(v); });
  }
  static void hard_swish_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n,
                [](double v) { return HardSwishDerivative(v); });
  }
  static void tanh_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n, [](double v) { return TanhDerivative<M>(v); });
  }
  static void softsign_grad(const T* dy, const T* x, T* dx, size_t n) {
    MapGradient(dy, x, dx, n, [](double v) { return SoftsignDerivative(v); });
  }

  static void leaky_relu(const T* x, T* y, size_t n, double alpha) {
    MapUnary(x, y, n, [alpha](double v) { return LeakyRelu(v, alpha); });
  }
  static void elu(const T* x, T* y, size_t n, double alpha) {
    MapUnary(x, y, n, [alpha](double v) { return Elu<M>(v, alpha); });
  }
  static void celu(const T* x, T* y, size_t n, double alpha) {
    MapUnary(x, y, n, [alpha](double v) { return Celu<M>(v, alpha); });
  }
  static void silu(const T* x, T* y, size_t n, double beta) {
    MapUnary(x, y, n, [beta](double v) { return Silu<M>(v, beta); });
  }
  static void softplus(const T* x, T* y, size_t n, double beta) {
    MapUnary(x, y, n, [beta](double v) { return Softplus<M>(v, beta); });
  }

  static void leaky_relu_grad(const T* dy, const T* x, T* dx, size_t n,
                              double alpha) {
    MapGradient(dy, x, dx, n,
                [alpha](double v) { return LeakyReluDerivative(v, alpha); });
  }
  static void elu_grad(const T* dy, const T* x, T* dx, size_t n,
                       double alpha) {
    MapGradient(dy, x, dx, n,
                [alpha](double v) { return EluDerivative<M>(v, alpha); });
  }
  static void celu_grad(const T* dy, const T* x, T* dx, size_t n,
                        double alpha) {
    MapGradient(dy, x, dx, n,
                [alpha](double v) { return CeluDerivative<M>(v, alpha); });
  }
  static void silu_grad(const T* dy, const T* x, T* dx, size_t n,
                        double beta) {
    MapGradient(dy, x, dx, n,
                [beta](double v) { return SiluDerivative<M>(v, beta); });
  }
  static void softplus_grad(const T* dy, const T* x, T* dx, size_t n,
                            double beta) {
    MapGradient(dy, x, dx, n,
                [beta](double v) { return SoftplusDerivative<M>(v, beta); });
  }

  static void hard_sigmoid(const T* x, T* y, size_t n, double alpha,
                           double beta) {
    MapUnary(x, y, n,
             [alpha, beta](double v) { return HardSigmoid(v, alpha, beta); });
  }
  static void hard_sigmoid_grad(const T* dy, const T* x, T* dx, size_t n,
                                double alpha, double beta) {
    MapGradient(dy, x, dx, n, [alpha, beta](double v) {
      return HardSigmoidDerivative(v, alpha, beta);
    });
  }

  // PReLU in the element's own type: x * a rounds once, as it would in
  // double and then to T. Rows of alpha_n spare a division per element.
  static void prelu(const T* x, T* y, size_t n, const T* alpha,
                    size_t alpha_n) {
    for (size_t start = 0; start < n; start += alpha_n) {
      const size_t row = n - start < alpha_n ? n - start : alpha_n;
      const T* in = x + start;
      T* out = y + start;
      for (size_t j = 0; j < row; ++j) {
        const T v = in[j];
        out[j] = v < 0 ? v * alpha[j] : v;
      }
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

// A sum of doubles with Neumaier's compensation, so that a row of a million
// terms loses no more than a few ulp. Once the sum is infinite or NaN the
// compensation is dropped, since it would turn Infinity into NaN.
class CompensatedSum {
 public:
  void Add(double value) {
    const double total = sum_ + value;
    if (std::isfinite(total)) {
      compensation_ += Abs(sum_) >= Abs(value) ? (sum_ - total) + value
                                               : (value - total) + sum_;
    }
    sum_ = total;
  }

  double Value() const {
    return std::isfinite(sum_) ? sum_ + compensation_ : sum_;
  }

 private:
  double sum_ = 0;
  double compensation_ = 0;
};

template <typename T>
void Kernels<T>::prelu_grad(const T* dy, const T* x, T* dx, size_t n,
                            const T* alpha, size_t alpha_n, T* dalpha) {
  // Each slope's gradient sums over every alpha_n-th element. Slopes are
  // taken in groups that fit on the stack, and alpha is read in full before
  // a group's sums are written.
  constexpr size_t kGroup = 256;
  CompensatedSum sums[kGroup];
  for (size_t first = 0; first < alpha_n; first += kGroup) {
    const size_t group = alpha_n - first < kGroup ? alpha_n - first : kGroup;
    for (size_t j = 0; j < group; ++j) sums[j] = CompensatedSum();

    for (size_t row = 0; row + first < n; row += alpha_n) {
      for (size_t j = 0; j < group && row + first + j < n; ++j) {
        const size_t i = row + first + j;
        const double v = static_cast<double>(x[i]);
        const double g = static_cast<double>(dy[i]);
        const double a = static_cast<double>(alpha[first + j]);
        if (!(v > 0)) sums[j].Add(g * v);
        dx[i] = static_cast<T>(v > 0 ? g : g * NanOr(v, a));
      }
    }
    for (size_t j = 0; j < group; ++j) {
      dalpha[first + j] = static_cast<T>(sums[j].Value());
    }
  }
}

// The largest element of a row; NaN if the row has one.
template <typename T>
double RowMax(const T* row, size_t length) {
  double max = -kInf;
  for (size_t i = 0; i < length; ++i) {
    const double v = static_cast<double>(row[i]);
    max = (v > max || v != v) ? v : max;
  }
  return max;
}

// Sums e^(x - max) over a row. The exponentials go through a block so that
// their loop vectorizes; a row that fits in one block keeps them there for
// the caller.
template <typename T, class M>
double RowExpSum(const T* row, size_t length, double max, double* block) {
  CompensatedSum sum;
  for (size_t start = 0; start < length; start += kBlock) {
    const size_t count = length - start < kBlock ? length - start : kBlock;
    for (size_t i = 0; i < count; ++i) {
      block[i] = M::Exp(static_cast<double>(row[start + i]) - max);
    }
    for (size_t i = 0; i < count; ++i) sum.Add(block[i]);
  }
  return sum.Value();
}

template <typename T>
void Kernels<T>::softmax(const T* x, T* y, size_t n, size_t axis_length) {
  alignas(kStreamAlignment) double block[kBlock];
  for (size_t start = 0; start < n; start += axis_length) {
    const T* in = x + start;
    T* out = y + start;
    const double max = RowMax(in, axis_length);
    const double sum = RowExpSum<T, M>(in, axis_length, max, block);

    // A row longer than a block has its exponentials taken again rather
    // than stored, so that a float output is rounded only once.
    if (axis_length <= kBlock) {
      for (size_t i = 0; i < axis_length; ++i) {
        out[i] = static_cast<T>(block[i] / sum);
      }
      continue;
    }
    for (size_t i = 0; i < axis_length; ++i) {
      out[i] = static_cast<T>(M::Exp(static_cast<double>(in[i]) - max) / sum);
    }
  }
}

template <typename T>
void Kernels<T>::log_softmax(const T* x, T* y, size_t n,
                             size_t axis_length) {
  alignas(kStreamAlignment) double block[kBlock];
  for (size_t start = 0; start < n; start += axis_length) {
    const T* in = x + start;
    T* out = y + start;
    const double max = RowMax(in, axis_length);
    const double log_sum =
        std::log(RowExpSum<T, M>(in, axis_length, max, block));
    for (size_t i = 0; i < axis_length; ++i) {
      out[i] = static_cast<T>((static_cast<double>(in[i]) - max) - log_sum);
    }
  }
}

template <typename T>
void Kernels<T>::softmax_grad(const T* dy, const T* y, T* dx, size_t n,
                              size_t axis_length) {
  for (size_t start = 0; start < n; start += axis_length) {
    CompensatedSum dot;
    for (size_t i = start; i < start + axis_length; ++i) {
      dot.Add(static_cast<double>(dy[i]) * static_cast<double>(y[i]));
    }
    const double total = dot.Value();
    for (size_t i = start; i < start + axis_length; ++i) {
      const double g = static_cast<double>(dy[i]);
      dx[i] = static_cast<T>(static_cast<double>(y[i]) * (g - total));
    }
  }
}

template <typename T>
void Kernels<T>::log_softmax_grad(const T* dy, const T* y, T* dx, size_t n,
                                  size_t axis_length) {
  for (size_t start = 0; start < n; start += axis_length) {
    CompensatedSum sum;
    for (size_t i = start; i < start + axis_length; ++i) {
      sum.Add(static_cast<double>(dy[i]));
    }
    const double total = sum.Value();
    for (size_t i = start; i < start + axis_length; ++i) {
      const double p = M::Exp(static_cast<double>(y[i]));
      dx[i] = static_cast<T>(static_cast<double>(dy[i]) - p * total);
    }
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
