// The activation functions and their derivatives, one element at a time,
// written once over a policy `M` that supplies the transcendental pieces:
//
// - LibmMath (below) uses glibc's libm, within one ulp in double. The double
//   kernels use it: accuracy first, one element at a time.
// - VectorMath (vector_math.h) is branch-free with a relative error under
//   1e-11. The float kernels use it: each element is widened to double,
//   evaluated, and rounded once, and the loops vectorize.
//
// Every formula is free of data-dependent branches (only selects), so that
// it vectorizes under VectorMath. Where a formula meets 0 * Infinity at an
// infinite input, the function returns the mathematical limit instead of the
// NaN the formula would give.

#ifndef ACTIVATIONS_ACTIVATION_MATH_H_
#define ACTIVATIONS_ACTIVATION_MATH_H_

#include <cmath>

#include "vector_math.h"

namespace act {
// Unnamed: each kernels file compiles its own copy with its own
// instruction-set flags, and the linker must not merge them.
namespace {

// SELU's constants (Klambauer et al., 2017) and their product, each rounded
// once from the exact values.
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSeluScaleAlpha = 1.7580993408473768599402175208123;

// sqrt(2/pi) and the cubic coefficient of GELU's tanh form.
constexpr double kGeluTanhScale = 0.79788456080286535587989211986876;
constexpr double kGeluTanhCubic = 0.044715;

// 1/sqrt(2), split into a double and the rest.
constexpr double kInvSqrt2Hi = 0.70710678118654757;
constexpr double kInvSqrt2Lo = -4.8336466567264567e-17;

// 1/sqrt(2*pi) and 2/sqrt(pi).
constexpr double kInvSqrt2Pi = 0.39894228040143267793994605993438;
constexpr double kTwoOverSqrtPi = 1.1283791670955125738961589031215;

constexpr double kInf = INFINITY;

// The pieces from glibc's libm, with the extra care double output needs.
struct LibmMath {
  static double Exp(double x) { return std::exp(x); }
  static double Expm1(double x) { return std::expm1(x); }
  static double Log1pUnit(double y) { return std::log1p(y); }
  static double Tanh(double x) { return std::tanh(x); }

  // 1 / (1 + e^-x), formed so that e^-x never overflows: for x < 0 it is
  // e^x / (1 + e^x), which keeps subnormal results.
  static double Sigmoid(double x) {
    if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
    const double e = std::exp(x);
    return e / (1.0 + e);
  }

  // Phi(x) = erfc(-x/sqrt(2)) / 2. erfc's slope multiplies any error in its
  // argument by 2u^2 in relative terms, so x/sqrt(2) is carried as
  // u_hi + u_lo and u_lo enters through the slope, 2/sqrt(pi) e^(-u^2).
  static double GaussCdf(double x) {
    const double u_hi = x * kInvSqrt2Hi;
    const double u_lo = std::fma(x, kInvSqrt2Hi, -u_hi) + x * kInvSqrt2Lo;
    const double slope = kTwoOverSqrtPi * std::exp(-u_hi * u_hi);
    return 0.5 * (std::erfc(-u_hi) + u_lo * slope);
  }

  // phi(x) = e^(-x^2/2) / sqrt(2 pi), with x^2 carried as hi + lo for the
  // same reason.
  static double GaussPdf(double x) {
    const double hi = x * x;
    const double lo = std::fma(x, x, -hi);
    return kInvSqrt2Pi * std::exp(-0.5 * hi) * (1.0 - 0.5 * lo);
  }
};

// The branch-free pieces of vector_math.h.
struct VectorMath {
  static double Exp(double x) { return vec::Exp(x); }
  static double Expm1(double x) { return vec::Expm1(x); }
  static double Log1pUnit(double y) { return vec::Log1pUnit(y); }
  static double Tanh(double x) { return vec::Tanh(x); }
  static double Sigmoid(double x) { return vec::Sigmoid(x); }

  // Phi(x) from erfc(|x|/sqrt(2)), reflected for positive x, where
  // 1 - erfc/2 stays at or above 1/2 and so does not cancel.
  static double GaussCdf(double x) {
    const double tail = 0.5 * vec::ErfcNonNegative(vec::Abs(x) * kInvSqrt2Hi);
    return x < 0 ? tail : 1.0 - tail;
  }

  static double GaussPdf(double x) {
    return kInvSqrt2Pi * vec::Exp(-0.5 * x * x);
  }
};

inline double Abs(double x) { return x < 0 ? -x : x; }
inline bool IsNan(double x) { return x != x; }
inline double NanOr(double x, double value) { return IsNan(x) ? x : value; }

// ---------------------------------------------------------------------------
// Forward functions

// ReLU and ReLU6 are exact in any type, so they take the element's own type
// and skip the widening. A NaN fails `x > 0` and is passed on, where fmax
// would turn it into 0; -0 becomes +0.
template <typename T>
inline T Relu(T x) {
  return x > 0 ? x : (x != x ? x : T(0));
}

template <typename T>
inline T Relu6(T x) {
  return x > 0 ? (x < 6 ? x : T(6)) : (x != x ? x : T(0));
}

inline double LeakyRelu(double x, double alpha) {
  return x < 0 ? alpha * x : x;
}

template <class M>
inline double Elu(double x, double alpha) {
  return x > 0 ? x : alpha * M::Expm1(x);
}

template <class M>
inline double Selu(double x) {
  return x > 0 ? kSeluScale * x : kSeluScaleAlpha * M::Expm1(x);
}

template <class M>
inline double Celu(double x, double alpha) {
  return x > 0 ? x : alpha * M::Expm1(x / alpha);
}

// x Phi(x); Phi comes from erfc, which keeps the negative tail where
// 1 + erf would cancel to zero.
template <class M>
inline double GeluErf(double x) {
  return x == -kInf ? -0.0 : x * M::GaussCdf(x);
}

// The tanh form, as x sigmoid(2u) with u = sqrt(2/pi) (x + 0.044715 x^3):
// the same function, without 1 + tanh's cancellation for x < 0.
template <class M>
inline double GeluTanh(double x) {
  const double u = kGeluTanhScale * (x + kGeluTanhCubic * x * x * x);
  const double y = x * M::Sigmoid(2 * u);
  return x == -kInf ? -0.0 : (x == kInf ? x : y);
}

template <class M>
inline double Silu(double x, double beta) {
  const double y = x * M::Sigmoid(beta * x);
  const double at_infinity =
      x > 0 ? (beta >= 0 ? x : 0.0) : (beta > 0 ? -0.0 : x);
  return Abs(x) == kInf ? at_infinity : y;
}

// tanh(softplus(x)) = n / (n + 2) with n = e^x (e^x + 2): exact algebra that
// needs neither log1p nor tanh and stays accurate for very negative x. Past
// x = 40 the ratio is 1 in double, so the exponent is clamped there.
template <class M>
inline double TanhSoftplus(double x) {
  const double e = M::Exp(x > 40 ? 40.0 : x);
  const double n = e * (e + 2);
  return n / (n + 2);
}

template <class M>
inline double Mish(double x) {
  return x == -kInf ? -0.0 : x * TanhSoftplus<M>(x);
}

template <class M>
inline double Sigmoid(double x) {
  return M::Sigmoid(x);
}

inline double HardSigmoid(double x, double alpha, double beta) {
  const double v = alpha * x + beta;
  return v > 0 ? (v < 1 ? v : 1.0) : NanOr(v, 0.0);
}

// x relu6(x + 3) / 6; every x at or below -3 gives -0, as the product does.
inline double HardSwish(double x) {
  return x <= -3 ? -0.0 : (x >= 3 ? x : x * (x + 3) / 6);
}

template <class M>
inline double Tanh(double x) {
  return M::Tanh(x);
}

// log(1 + e^(beta x)) / beta as max(z, 0)/beta + log1p(e^-|z|)/beta with
// z = beta x, so that e^z never overflows; for z > 0 the first term is
// written as x, which it is, to spare a rounding.
template <class M>
inline double Softplus(double x, double beta) {
  const double z = beta * x;
  const double correction = M::Log1pUnit(M::Exp(-Abs(z))) / beta;
  return z > 0 ? x + correction : correction;
}

inline double Softsign(double x) {
  const double y = x / (1 + Abs(x));
  return Abs(x) == kInf ? (x > 0 ? 1.0 : -1.0) : y;
}

// ---------------------------------------------------------------------------
// Derivatives. A NaN input gives a NaN derivative, including on the flat
// pieces of the piecewise-linear functions.

// Kinks take the derivative TensorFlow, PyTorch and JAX share: ReLU's is 0
// at 0, ReLU6's is 0 at 0 and at 6.
inline double ReluDerivative(double x) { return x > 0 ? 1.0 : NanOr(x, 0); }

inline double Relu6Derivative(double x) {
  return (x > 0 && x < 6) ? 1.0 : NanOr(x, 0);
}

inline double LeakyReluDerivative(double x, double alpha) {
  return x > 0 ? 1.0 : NanOr(x, alpha);
}

template <class M>
inline double EluDerivative(double x, double alpha) {
  return x > 0 ? 1.0 : alpha * M::Exp(x);
}

template <class M>
inline double SeluDerivative(double x) {
  return x > 0 ? kSeluScale : kSeluScaleAlpha * M::Exp(x);
}

template <class M>
inline double CeluDerivative(double x, double alpha) {
  return x > 0 ? 1.0 : M::Exp(x / alpha);
}

// sigma(x) (1 - sigma(x)) = e / (1 + e)^2 with e = exp(-|x|): symmetric and
// free of the cancellation in 1 - sigma.
template <class M>
inline double SigmoidDerivative(double x) {
  const double e = M::Exp(-Abs(x));
  const double d = 1 + e;
  return e / (d * d);
}

// Phi(x) + x phi(x); at the infinities, the limits 1 and 0.
template <class M>
inline double GeluErfDerivative(double x) {
  const double d = M::GaussCdf(x) + x * M::GaussPdf(x);
  return Abs(x) == kInf ? (x > 0 ? 1.0 : 0.0) : d;
}

// d/dx x s(2u) = s + x 2u' s (1 - s), with 1 - s = s(-2u).
template <class M>
inline double GeluTanhDerivative(double x) {
  const double x2 = x * x;
  const double u = kGeluTanhScale * (x + kGeluTanhCubic * x2 * x);
  const double du = kGeluTanhScale * (1 + 3 * kGeluTanhCubic * x2);
  const double s = M::Sigmoid(2 * u);
  const double d = s + x * 2 * du * s * M::Sigmoid(-2 * u);
  return Abs(x) == kInf ? (x > 0 ? 1.0 : 0.0) : d;
}

// s (1 + z (1 - s)) with z = beta x and s = sigma(z); at infinite z the
// limits 1 and 0, and 1/2 everywhere when beta is 0.
template <class M>
inline double SiluDerivative(double x, double beta) {
  const double z = beta * x;
  const double d = M::Sigmoid(z) * (1 + z * M::Sigmoid(-z));
  const double limit = beta == 0 ? NanOr(x, 0.5) : (z > 0 ? 1.0 : 0.0);
  return (beta == 0 || Abs(z) == kInf) ? limit : d;
}

// t + x sigma(x) (1 - t^2) with t = tanh(softplus(x)) and 1 - t = 2/(n + 2).
template <class M>
inline double MishDerivative(double x) {
  const double e = M::Exp(x > 40 ? 40.0 : x);
  const double n = e * (e + 2);
  const double t = n / (n + 2);
  const double one_minus_t = 2 / (n + 2);
  const double d = t + x * M::Sigmoid(x) * one_minus_t * (1 + t);
  return Abs(x) == kInf ? (x > 0 ? 1.0 : 0.0) : d;
}

inline double HardSigmoidDerivative(double x, double alpha, double beta) {
  const double v = alpha * x + beta;
  return (v > 0 && v < 1) ? alpha : NanOr(v, 0.0);
}

// 0 at and below -3 and 1 at and above 3, as TensorFlow and JAX give;
// PyTorch gives -0.5 and 1.5 at the two points.
inline double HardSwishDerivative(double x) {
  return x <= -3 ? 0.0 : (x >= 3 ? 1.0 : NanOr(x, (2 * x + 3) / 6));
}

// 1 - tanh(x)^2 = 4e / (1 + e)^2 with e = exp(-2|x|), which keeps its
// relative precision where tanh(x) rounds to 1.
template <class M>
inline double TanhDerivative(double x) {
  const double e = M::Exp(-2 * Abs(x));
  const double d = 1 + e;
  return 4 * e / (d * d);
}

template <class M>
inline double SoftplusDerivative(double x, double beta) {
  return M::Sigmoid(beta * x);
}

inline double SoftsignDerivative(double x) {
  const double d = 1 + Abs(x);
  return 1 / (d * d);
}

}  // namespace
}  // namespace act

#endif  // ACTIVATIONS_ACTIVATION_MATH_H_
