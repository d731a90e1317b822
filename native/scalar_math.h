// The activation functions and their derivatives, one element at a time.
//
// Every function is written for double. The float kernels widen each element
// to double, evaluate, and round once at the end, which keeps them within one
// unit in the last place of float; the double kernels lean on glibc's libm,
// whose exp, expm1, log1p, tanh and erfc are within one ulp.
//
// Where a formula meets 0 * Infinity at an infinite input, the function
// returns the mathematical limit instead of the NaN the formula would give.

#ifndef ACTIVATIONS_SCALAR_MATH_H_
#define ACTIVATIONS_SCALAR_MATH_H_

#include <cmath>

namespace act {

// SELU's constants (Klambauer et al., 2017), to double precision, and their
// product rounded once.
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSeluScaleAlpha = 1.7580993408473768599402175208123;

// sqrt(2/pi) and the cubic coefficient of GELU's tanh form.
constexpr double kGeluTanhScale = 0.79788456080286535587989211986876;
constexpr double kGeluTanhCubic = 0.044715;

// 1/sqrt(2) split into a double and the rest, so that x/sqrt(2) can carry
// twice double's precision into erfc, whose slope amplifies any error in its
// argument by 2u^2 in relative terms.
constexpr double kInvSqrt2Hi = 0.70710678118654757;
constexpr double kInvSqrt2Lo = -4.8336466567264567e-17;

// 1/sqrt(2*pi) and 2/sqrt(pi).
constexpr double kInvSqrt2Pi = 0.39894228040143267793994605993438;
constexpr double kTwoOverSqrtPi = 1.1283791670955125738961589031215;

inline bool IsNan(double x) { return x != x; }

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
  if (x > 0) return x < 6 ? x : T(6);
  return x != x ? x : T(0);
}

inline double LeakyRelu(double x, double alpha) {
  return x < 0 ? alpha * x : x;
}

inline double Elu(double x, double alpha) {
  return x > 0 ? x : alpha * std::expm1(x);
}

inline double Selu(double x) {
  return x > 0 ? kSeluScale * x : kSeluScaleAlpha * std::expm1(x);
}

inline double Celu(double x, double alpha) {
  return x > 0 ? x : alpha * std::expm1(x / alpha);
}

// The logistic function, formed so that exp never overflows.
inline double Sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

// x * Phi(x) as 0.5 * x * erfc(-x / sqrt(2)): erfc keeps the negative tail,
// where 1 + erf would cancel to zero. The argument's rounding error, u_lo,
// enters through erfc's slope, 2/sqrt(pi) * exp(-u^2).
inline double GeluErf(double x) {
  if (x == -INFINITY) return -0.0;
  const double u_hi = x * kInvSqrt2Hi;
  const double u_lo = std::fma(x, kInvSqrt2Hi, -u_hi) + x * kInvSqrt2Lo;
  const double tail = std::erfc(-u_hi);
  const double slope = kTwoOverSqrtPi * std::exp(-u_hi * u_hi);
  return 0.5 * x * (tail + u_lo * slope);
}

// The tanh form, rewritten as x * sigmoid(2u) with
// u = sqrt(2/pi) * (x + 0.044715 x^3), which has no cancellation for x < 0.
inline double GeluTanh(double x) {
  if (x == -INFINITY) return -0.0;
  if (x == INFINITY) return x;
  const double u = kGeluTanhScale * (x + kGeluTanhCubic * x * x * x);
  return x * Sigmoid(2 * u);
}

inline double Silu(double x, double beta) {
  if (x == -INFINITY) return beta > 0 ? -0.0 : x;
  if (x == INFINITY) return beta > 0 ? x : 0.0;
  return x * Sigmoid(beta * x);
}

// tanh(softplus(x)) = n / (n + 2) with n = e^x (e^x + 2), exact algebra that
// avoids both log1p and tanh and stays accurate for very negative x.
inline double TanhSoftplus(double x) {
  if (x > 40) return 1.0;
  const double e = std::exp(x);
  const double n = e * (e + 2);
  return n / (n + 2);
}

inline double Mish(double x) {
  if (x == -INFINITY) return -0.0;
  return x * TanhSoftplus(x);
}

inline double HardSigmoid(double x, double alpha, double beta) {
  const double v = alpha * x + beta;
  if (v > 0) return v < 1 ? v : 1.0;
  return IsNan(v) ? v : 0.0;
}

// x * relu6(x + 3) / 6; every x at or below -3 gives -0, as the product does.
inline double HardSwish(double x) {
  if (x <= -3) return -0.0;
  if (x >= 3) return x;
  return x * (x + 3) / 6;
}

inline double Tanh(double x) { return std::tanh(x); }

// log(1 + e^(beta x)) / beta, as x + log1p(e^-z)/beta when z = beta x is
// positive, so that e^z never overflows.
inline double Softplus(double x, double beta) {
  const double z = beta * x;
  if (z > 0) return x + std::log1p(std::exp(-z)) / beta;
  return std::log1p(std::exp(z)) / beta;
}

inline double Softsign(double x) {
  if (std::isinf(x)) return x > 0 ? 1.0 : -1.0;
  return x / (1 + std::fabs(x));
}

// ---------------------------------------------------------------------------
// Derivatives. A NaN input gives a NaN derivative, including on the flat
// pieces of the piecewise-linear functions.

inline double NanOr(double x, double value) { return IsNan(x) ? x : value; }

// Kinks take the derivative TensorFlow, PyTorch and JAX share: ReLU's is 0
// at 0, ReLU6's is 0 at 0 and at 6.
inline double ReluDerivative(double x) { return x > 0 ? 1.0 : NanOr(x, 0); }

inline double Relu6Derivative(double x) {
  return (x > 0 && x < 6) ? 1.0 : NanOr(x, 0);
}

inline double LeakyReluDerivative(double x, double alpha) {
  return x > 0 ? 1.0 : NanOr(x, alpha);
}

inline double EluDerivative(double x, double alpha) {
  return x > 0 ? 1.0 : alpha * std::exp(x);
}

inline double SeluDerivative(double x) {
  return x > 0 ? kSeluScale : kSeluScaleAlpha * std::exp(x);
}

inline double CeluDerivative(double x, double alpha) {
  return x > 0 ? 1.0 : std::exp(x / alpha);
}

// sigma(x) (1 - sigma(x)) = e / (1 + e)^2 with e = exp(-|x|): symmetric and
// free of the cancellation in 1 - sigma.
inline double SigmoidDerivative(double x) {
  const double e = std::exp(-std::fabs(x));
  const double d = 1 + e;
  return e / (d * d);
}

// Phi(x) + x phi(x); at the infinities, the limits 1 and 0.
inline double GeluErfDerivative(double x) {
  if (std::isinf(x)) return x > 0 ? 1.0 : 0.0;
  const double u_hi = x * kInvSqrt2Hi;
  const double u_lo = std::fma(x, kInvSqrt2Hi, -u_hi) + x * kInvSqrt2Lo;
  const double gauss = std::exp(-u_hi * u_hi);
  const double cdf = 0.5 * (std::erfc(-u_hi) + u_lo * kTwoOverSqrtPi * gauss);
  return cdf + x * kInvSqrt2Pi * gauss;
}

// d/dx x s(2u) = s + x * 2u' * s (1 - s), with 1 - s = s(-2u).
inline double GeluTanhDerivative(double x) {
  if (std::isinf(x)) return x > 0 ? 1.0 : 0.0;
  const double x2 = x * x;
  const double u = kGeluTanhScale * (x + kGeluTanhCubic * x2 * x);
  const double du = kGeluTanhScale * (1 + 3 * kGeluTanhCubic * x2);
  const double s = Sigmoid(2 * u);
  return s + x * 2 * du * s * Sigmoid(-2 * u);
}

// s (1 + beta x (1 - s)) with s = sigma(beta x); limits at the infinities.
inline double SiluDerivative(double x, double beta) {
  if (std::isinf(x)) return (x > 0) == (beta > 0) ? 1.0 : 0.0;
  const double z = beta * x;
  return Sigmoid(z) * (1 + z * Sigmoid(-z));
}

// t + x sigma(x) (1 - t^2) with t = tanh(softplus(x)), 1 - t = 2 / (n + 2).
inline double MishDerivative(double x) {
  if (std::isinf(x)) return x > 0 ? 1.0 : 0.0;
  if (x > 40) return 1.0;
  const double e = std::exp(x);
  const double n = e * (e + 2);
  const double t = n / (n + 2);
  const double one_minus_t = 2 / (n + 2);
  return t + x * Sigmoid(x) * one_minus_t * (1 + t);
}

inline double HardSigmoidDerivative(double x, double alpha, double beta) {
  const double v = alpha * x + beta;
  return (v > 0 && v < 1) ? alpha : NanOr(v, 0);
}

// 0 at and below -3 and 1 at and above 3, as TensorFlow and JAX give;
// PyTorch gives -0.5 and 1.5 at the two points.
inline double HardSwishDerivative(double x) {
  if (x <= -3) return 0.0;
  if (x >= 3) return 1.0;
  return NanOr(x, (2 * x + 3) / 6);
}

// 1 - tanh(x)^2 = 4e / (1 + e)^2 with e = exp(-2|x|), which keeps its
// relative precision where tanh(x) rounds to 1.
inline double TanhDerivative(double x) {
  const double e = std::exp(-2 * std::fabs(x));
  const double d = 1 + e;
  return 4 * e / (d * d);
}

inline double SoftplusDerivative(double x, double beta) {
  return Sigmoid(beta * x);
}

inline double SoftsignDerivative(double x) {
  const double d = 1 + std::fabs(x);
  return 1 / (d * d);
}

}  // namespace act

#endif  // ACTIVATIONS_SCALAR_MATH_H_
