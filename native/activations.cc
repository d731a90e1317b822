// The kernels behind activations.h: generic loops over the functions of
// scalar_math.h, instantiated for float and double.

#include "activations.h"

#include <cmath>

#include "scalar_math.h"

namespace {

// A sum of doubles with Neumaier's compensation, so that a row of a million
// terms loses no more than a few ulp. Once the sum is infinite or NaN the
// compensation is dropped, since it would turn Infinity into NaN.
class CompensatedSum {
 public:
  void Add(double value) {
    const double total = sum_ + value;
    if (std::isfinite(total)) {
      compensation_ += std::fabs(sum_) >= std::fabs(value)
                           ? (sum_ - total) + value
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

// y[i] = f(x[i]). The in-place case has its own loop: with a single pointer
// the compiler needs no aliasing check before it vectorizes.
template <typename T, typename F>
int32_t MapUnary(const T* x, T* y, size_t n, F f) {
  if (n == 0) return ACT_OK;
  if (x == nullptr || y == nullptr) return ACT_NULL_POINTER;

  if (x == y) {
    for (size_t i = 0; i < n; ++i) y[i] = static_cast<T>(f(y[i]));
  } else {
    for (size_t i = 0; i < n; ++i) y[i] = static_cast<T>(f(x[i]));
  }
  return ACT_OK;
}

// dx[i] = dy[i] * f'(x[i]), the product taken in double and rounded once.
template <typename T, typename F>
int32_t MapGradient(const T* dy, const T* x, T* dx, size_t n, F derivative) {
  if (n == 0) return ACT_OK;
  if (dy == nullptr || x == nullptr || dx == nullptr) return ACT_NULL_POINTER;

  for (size_t i = 0; i < n; ++i) {
    const double slope = derivative(static_cast<double>(x[i]));
    dx[i] = static_cast<T>(static_cast<double>(dy[i]) * slope);
  }
  return ACT_OK;
}

template <typename T>
int32_t Prelu(const T* x, T* y, size_t n, const T* alpha, size_t alpha_n) {
  if (n == 0) return ACT_OK;
  if (x == nullptr || y == nullptr || alpha == nullptr) {
    return ACT_NULL_POINTER;
  }
  if (alpha_n == 0) return ACT_INVALID_ARGUMENT;

  // Walk x in rows of alpha_n, so that the slope index needs no division.
  for (size_t start = 0; start < n; start += alpha_n) {
    const size_t row = n - start < alpha_n ? n - start : alpha_n;
    for (size_t j = 0; j < row; ++j) {
      const T v = x[start + j];
      y[start + j] = v < 0 ? v * alpha[j] : v;
    }
  }
  return ACT_OK;
}

template <typename T>
int32_t PreluGrad(const T* dy, const T* x, T* dx, size_t n, const T* alpha,
                  size_t alpha_n, T* dalpha) {
  if (alpha_n == 0) return n == 0 ? ACT_OK : ACT_INVALID_ARGUMENT;
  if (alpha == nullptr || dalpha == nullptr) return ACT_NULL_POINTER;
  if (n != 0 && (dy == nullptr || x == nullptr || dx == nullptr)) {
    return ACT_NULL_POINTER;
  }

  // Each slope's gradient is a sum over every alpha_n-th element; alpha is
  // read in full before dalpha is written, in case the two coincide.
  constexpr size_t kMaxStackSlopes = 256;
  CompensatedSum stack_sums[kMaxStackSlopes];
  for (size_t j0 = 0; j0 < alpha_n; j0 += kMaxStackSlopes) {
    const size_t count =
        alpha_n - j0 < kMaxStackSlopes ? alpha_n - j0 : kMaxStackSlopes;
    for (size_t j = 0; j < count; ++j) stack_sums[j] = CompensatedSum();

    for (size_t start = 0; start + j0 < n; start += alpha_n) {
      for (size_t j = 0; j < count && start + j0 + j < n; ++j) {
        const size_t i = start + j0 + j;
        const double v = static_cast<double>(x[i]);
        const double g = static_cast<double>(dy[i]);
        const double a = static_cast<double>(alpha[j0 + j]);
        if (!(v > 0)) stack_sums[j].Add(g * v);
        dx[i] = static_cast<T>(v > 0 ? g : g * act::NanOr(v, a));
      }
    }
    for (size_t j = 0; j < count; ++j) {
      dalpha[j0 + j] = static_cast<T>(stack_sums[j].Value());
    }
  }
  return ACT_OK;
}

// Checks shared by the row functions; ACT_OK means "go on".
inline int32_t CheckRows(const void* a, const void* b, const void* c,
                         size_t n, size_t axis_length) {
  if (axis_length == 0 || n % axis_length != 0) return ACT_INVALID_ARGUMENT;
  if (a == nullptr || b == nullptr || c == nullptr) return ACT_NULL_POINTER;
  return ACT_OK;
}

template <typename T>
double RowMax(const T* row, size_t length) {
  double max = -INFINITY;
  for (size_t i = 0; i < length; ++i) {
    const double v = static_cast<double>(row[i]);
    if (v > max || v != v) max = v;
  }
  return max;
}

// Softmax of each row. The exponentials are taken again in the last pass
// rather than stored, so that a float output is rounded only once.
template <typename T>
int32_t Softmax(const T* x, T* y, size_t n, size_t axis_length) {
  if (n == 0) return ACT_OK;
  const int32_t status = CheckRows(x, y, x, n, axis_length);
  if (status != ACT_OK) return status;

  for (size_t start = 0; start < n; start += axis_length) {
    const T* in = x + start;
    T* out = y + start;
    const double max = RowMax(in, axis_length);

    CompensatedSum sum;
    for (size_t i = 0; i < axis_length; ++i) {
      sum.Add(std::exp(static_cast<double>(in[i]) - max));
    }

    const double total = sum.Value();
    for (size_t i = 0; i < axis_length; ++i) {
      out[i] =
          static_cast<T>(std::exp(static_cast<double>(in[i]) - max) / total);
    }
  }
  return ACT_OK;
}

template <typename T>
int32_t LogSoftmax(const T* x, T* y, size_t n, size_t axis_length) {
  if (n == 0) return ACT_OK;
  const int32_t status = CheckRows(x, y, x, n, axis_length);
  if (status != ACT_OK) return status;

  for (size_t start = 0; start < n; start += axis_length) {
    const T* in = x + start;
    T* out = y + start;
    const double max = RowMax(in, axis_length);

    CompensatedSum sum;
    for (size_t i = 0; i < axis_length; ++i) {
      sum.Add(std::exp(static_cast<double>(in[i]) - max));
    }

    const double log_sum = std::log(sum.Value());
    for (size_t i = 0; i < axis_length; ++i) {
      out[i] = static_cast<T>((static_cast<double>(in[i]) - max) - log_sum);
    }
  }
  return ACT_OK;
}

template <typename T>
int32_t SoftmaxGrad(const T* dy, const T* y, T* dx, size_t n,
                    size_t axis_length) {
  if (n == 0) return ACT_OK;
  const int32_t status = CheckRows(dy, y, dx, n, axis_length);
  if (status != ACT_OK) return status;

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
  return ACT_OK;
}

template <typename T>
int32_t LogSoftmaxGrad(const T* dy, const T* y, T* dx, size_t n,
                       size_t axis_length) {
  if (n == 0) return ACT_OK;
  const int32_t status = CheckRows(dy, y, dx, n, axis_length);
  if (status != ACT_OK) return status;

  for (size_t start = 0; start < n; start += axis_length) {
    CompensatedSum sum;
    for (size_t i = start; i < start + axis_length; ++i) {
      sum.Add(static_cast<double>(dy[i]));
    }

    const double total = sum.Value();
    for (size_t i = start; i < start + axis_length; ++i) {
      const double p = std::exp(static_cast<double>(y[i]));
      dx[i] = static_cast<T>(static_cast<double>(dy[i]) - p * total);
    }
  }
  return ACT_OK;
}

}  // namespace

extern "C" {

uint32_t act_abi_version(void) { return ACT_ABI_VERSION; }

// The macros below define the float and double entry points of a function
// `Name` of scalar_math.h and of its `NameDerivative`, both over double.

#define ACT_DEFINE_FORWARD(symbol, Name)                             \
  int32_t act_##symbol##_f32(const float* x, float* y, size_t n) {   \
    return MapUnary(x, y, n, [](double v) { return act::Name(v); }); \
  }                                                                  \
  int32_t act_##symbol##_f64(const double* x, double* y, size_t n) { \
    return MapUnary(x, y, n, [](double v) { return act::Name(v); }); \
  }

#define ACT_DEFINE_GRADIENT(symbol, Name)                                 \
  int32_t act_##symbol##_grad_f32(const float* dy, const float* x,        \
                                  float* dx, size_t n) {                  \
    return MapGradient(dy, x, dx, n,                                      \
                       [](double v) { return act::Name##Derivative(v); }); \
  }                                                                       \
  int32_t act_##symbol##_grad_f64(const double* dy, const double* x,      \
                                  double* dx, size_t n) {                 \
    return MapGradient(dy, x, dx, n,                                      \
                       [](double v) { return act::Name##Derivative(v); }); \
  }

#define ACT_DEFINE_UNARY(symbol, Name) \
  ACT_DEFINE_FORWARD(symbol, Name)     \
  ACT_DEFINE_GRADIENT(symbol, Name)

// The same for a function with one parameter, which travels as a double.
#define ACT_DEFINE_UNARY_WITH(symbol, Name)                                 \
  int32_t act_##symbol##_f32(const float* x, float* y, size_t n,            \
                             double p) {                                    \
    return MapUnary(x, y, n, [p](double v) { return act::Name(v, p); });    \
  }                                                                         \
  int32_t act_##symbol##_f64(const double* x, double* y, size_t n,          \
                             double p) {                                    \
    return MapUnary(x, y, n, [p](double v) { return act::Name(v, p); });    \
  }                                                                         \
  int32_t act_##symbol##_grad_f32(const float* dy, const float* x,          \
                                  float* dx, size_t n, double p) {          \
    return MapGradient(dy, x, dx, n, [p](double v) {                        \
      return act::Name##Derivative(v, p);                                   \
    });                                                                     \
  }                                                                         \
  int32_t act_##symbol##_grad_f64(const double* dy, const double* x,        \
                                  double* dx, size_t n, double p) {         \
    return MapGradient(dy, x, dx, n, [p](double v) {                        \
      return act::Name##Derivative(v, p);                                   \
    });                                                                     \
  }

// ReLU and ReLU6 run in the element's own type: they are exact, and the
// float loop vectorizes four times wider without the widening.
int32_t act_relu_f32(const float* x, float* y, size_t n) {
  return MapUnary(x, y, n, [](float v) { return act::Relu(v); });
}
int32_t act_relu_f64(const double* x, double* y, size_t n) {
  return MapUnary(x, y, n, [](double v) { return act::Relu(v); });
}
int32_t act_relu6_f32(const float* x, float* y, size_t n) {
  return MapUnary(x, y, n, [](float v) { return act::Relu6(v); });
}
int32_t act_relu6_f64(const double* x, double* y, size_t n) {
  return MapUnary(x, y, n, [](double v) { return act::Relu6(v); });
}
ACT_DEFINE_GRADIENT(relu, Relu)
ACT_DEFINE_GRADIENT(relu6, Relu6)

ACT_DEFINE_UNARY(selu, Selu)
ACT_DEFINE_UNARY(gelu, GeluErf)
ACT_DEFINE_UNARY(gelu_tanh, GeluTanh)
ACT_DEFINE_UNARY(mish, Mish)
ACT_DEFINE_UNARY(sigmoid, Sigmoid)
ACT_DEFINE_UNARY(hard_swish, HardSwish)
ACT_DEFINE_UNARY(tanh, Tanh)
ACT_DEFINE_UNARY(softsign, Softsign)

ACT_DEFINE_UNARY_WITH(leaky_relu, LeakyRelu)
ACT_DEFINE_UNARY_WITH(elu, Elu)
ACT_DEFINE_UNARY_WITH(celu, Celu)
ACT_DEFINE_UNARY_WITH(silu, Silu)
ACT_DEFINE_UNARY_WITH(softplus, Softplus)

int32_t act_hard_sigmoid_f32(const float* x, float* y, size_t n, double alpha,
                             double beta) {
  return MapUnary(x, y, n, [alpha, beta](double v) {
    return act::HardSigmoid(v, alpha, beta);
  });
}
int32_t act_hard_sigmoid_f64(const double* x, double* y, size_t n,
                             double alpha, double beta) {
  return MapUnary(x, y, n, [alpha, beta](double v) {
    return act::HardSigmoid(v, alpha, beta);
  });
}
int32_t act_hard_sigmoid_grad_f32(const float* dy, const float* x, float* dx,
                                  size_t n, double alpha, double beta) {
  return MapGradient(dy, x, dx, n, [alpha, beta](double v) {
    return act::HardSigmoidDerivative(v, alpha, beta);
  });
}
int32_t act_hard_sigmoid_grad_f64(const double* dy, const double* x,
                                  double* dx, size_t n, double alpha,
                                  double beta) {
  return MapGradient(dy, x, dx, n, [alpha, beta](double v) {
    return act::HardSigmoidDerivative(v, alpha, beta);
  });
}

int32_t act_prelu_f32(const float* x, float* y, size_t n, const float* alpha,
                      size_t alpha_n) {
  return Prelu(x, y, n, alpha, alpha_n);
}
int32_t act_prelu_f64(const double* x, double* y, size_t n,
                      const double* alpha, size_t alpha_n) {
  return Prelu(x, y, n, alpha, alpha_n);
}
int32_t act_prelu_grad_f32(const float* dy, const float* x, float* dx,
                           size_t n, const float* alpha, size_t alpha_n,
                           float* dalpha) {
  return PreluGrad(dy, x, dx, n, alpha, alpha_n, dalpha);
}
int32_t act_prelu_grad_f64(const double* dy, const double* x, double* dx,
                           size_t n, const double* alpha, size_t alpha_n,
                           double* dalpha) {
  return PreluGrad(dy, x, dx, n, alpha, alpha_n, dalpha);
}

int32_t act_softmax_f32(const float* x, float* y, size_t n,
                        size_t axis_length) {
  return Softmax(x, y, n, axis_length);
}
int32_t act_softmax_f64(const double* x, double* y, size_t n,
                        size_t axis_length) {
  return Softmax(x, y, n, axis_length);
}
int32_t act_softmax_grad_f32(const float* dy, const float* y, float* dx,
                             size_t n, size_t axis_length) {
  return SoftmaxGrad(dy, y, dx, n, axis_length);
}
int32_t act_softmax_grad_f64(const double* dy, const double* y, double* dx,
                             size_t n, size_t axis_length) {
  return SoftmaxGrad(dy, y, dx, n, axis_length);
}
int32_t act_log_softmax_f32(const float* x, float* y, size_t n,
                            size_t axis_length) {
  return LogSoftmax(x, y, n, axis_length);
}
int32_t act_log_softmax_f64(const double* x, double* y, size_t n,
                            size_t axis_length) {
  return LogSoftmax(x, y, n, axis_length);
}
int32_t act_log_softmax_grad_f32(const float* dy, const float* y, float* dx,
                                 size_t n, size_t axis_length) {
  return LogSoftmaxGrad(dy, y, dx, n, axis_length);
}
int32_t act_log_softmax_grad_f64(const double* dy, const double* y,
                                 double* dx, size_t n, size_t axis_length) {
  return LogSoftmaxGrad(dy, y, dx, n, axis_length);
}

}  // extern "C"
