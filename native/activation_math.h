// The activation functions and their gradients, one element at a time, for
// each element type:
//
// - FloatFunctions serve the float kernels. The functions that the speed
//   targets name (sigmoid, tanh, SiLU with beta 1, ELU, SELU, CELU with
//   alpha 1, both forms of GELU and softplus with beta 1) evaluate in float
//   with the pieces of float_math.h, within 2 ulp, and so do the
//   exponentials of the gradients of sigmoid, tanh, ELU, SELU and CELU with
//   alpha 1, which finish in double; the others widen each element to
//   double and evaluate with the branch-free pieces of vector_math.h, whose
//   relative error is below 1e-11, and round once, so that a float result
//   is within one ulp of the exact value. Both vectorize at every
//   instruction level.
// - DoubleFunctions serve the double kernels: each element is evaluated in
//   double-double with the pieces of double_math.h and rounded once, which
//   keeps it within one ulp too.
//
// Both are free of data-dependent branches (only selects). Where a formula
// meets 0 * Infinity at an infinite input, the function returns the
// mathematical limit instead of the NaN the formula would give; a NaN input
// gives NaN, for gradients too. A gradient `FooGrad(dy, x)` returns
// dy * foo'(x), rounded once in the double kernels.

#ifndef ACTIVATIONS_ACTIVATION_MATH_H_
#define ACTIVATIONS_ACTIVATION_MATH_H_

#include <cmath>

#include "double_math.h"
#include "float_math.h"
#include "vector_math.h"

namespace act {
// Unnamed: each kernels file compiles its own copy with its own
// instruction-set flags, and the linker must not merge them.
namespace {

// SELU's constants (Klambauer et al., 2017) and their product, each rounded
// once from the exact values, and as double-doubles.
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSeluScaleAlpha = 1.7580993408473768599402175208123;
constexpr dd::DD kSeluScaleDD = {1.0507009873554805, 3.9874847667154144e-17};
constexpr dd::DD kSeluScaleAlphaDD = {1.7580993408473768,
                                      1.41535193800845e-17};

// sqrt(2/pi) and the cubic coefficient of GELU's tanh form, the decimal
// 0.044715 of Hendrycks and Gimpel; sqrt(8/pi) = 2 sqrt(2/pi).
constexpr double kGeluTanhScale = 0.79788456080286535587989211986876;
constexpr double kGeluTanhCubic = 0.044715;
constexpr dd::DD kSqrt8OverPi = {1.5957691216057308, -9.96930880911092e-17};
constexpr dd::DD kGeluTanhCubicDD = {0.044715, 2.1960211427085595e-18};
constexpr dd::DD kThreeGeluTanhCubic = {0.134145, 1.3526957332032908e-17};

// 1/sqrt(2) and 1/sqrt(2 pi).
constexpr double kInvSqrt2Hi = 0.70710678118654757;
constexpr double kInvSqrt2Pi = 0.39894228040143267793994605993438;
constexpr dd::DD kInvSqrt2 = {0.7071067811865476, -4.833646656726457e-17};
constexpr dd::DD kInvSqrt2PiDD = {0.3989422804014327, -2.49232720227773e-17};

constexpr double kInf = INFINITY;

// 600 ln 2, for moving exponentials past the range of vec::Exp by 2^600.
constexpr double kLn2Times600 = 415.88830833596717;

ACT_INLINE double Abs(double x) { return x < 0 ? -x : x; }
ACT_INLINE bool IsNan(double x) { return x != x; }
ACT_INLINE double NanOr(double x, double value) { return IsNan(x) ? x : value; }

// ---------------------------------------------------------------------------
// What both types share.

// ReLU and ReLU6 are exact in any type, so they take the element's own type
// and skip the widening. A NaN fails `x > 0` and is passed on, where fmax
// would turn it into 0; -0 becomes +0.
template <typename T>
ACT_INLINE T Relu(T x) {
  return x > 0 ? x : (x != x ? x : T(0));
}

template <typename T>
ACT_INLINE T Relu6(T x) {
  return x > 0 ? (x < 6 ? x : T(6)) : (x != x ? x : T(0));
}

// Kinks take the derivative TensorFlow, PyTorch and JAX share: ReLU's is 0
// at 0, ReLU6's is 0 at 0 and at 6.
ACT_INLINE double ReluDerivative(double x) { return x > 0 ? 1.0 : NanOr(x, 0); }

ACT_INLINE double Relu6Derivative(double x) {
  return (x > 0 && x < 6) ? 1.0 : NanOr(x, 0);
}

// dy times the derivative in the element's own type: the product with 1
// or 0 is exact, so float and double give what the double product would.
template <typename T>
ACT_INLINE T ReluGrad(T dy, T x) {
  return dy * (x > 0 ? T(1) : (x != x ? x : T(0)));
}

template <typename T>
ACT_INLINE T Relu6Grad(T dy, T x) {
  return dy * ((x > 0 && x < 6) ? T(1) : (x != x ? x : T(0)));
}

ACT_INLINE double LeakyRelu(double x, double alpha) {
  return x < 0 ? alpha * x : x;
}

ACT_INLINE double LeakyReluDerivative(double x, double alpha) {
  return x > 0 ? 1.0 : NanOr(x, alpha);
}

// alpha * x + beta for the hard sigmoid, as a double-double (v.hi is the
// line rounded once), so that the clamp decides on the exact value. With
// alpha = 0 the line is beta for every x, infinities included (a constant
// has no other limit), where the product would give NaN.
struct HardSigmoidLine {
  dd::DD v;
  double x;
};

// The clamp of the exact line to [0, 1].
ACT_INLINE double HardSigmoidOf(HardSigmoidLine line) {
  const dd::DD v = line.v;
  const double inside = v.hi > 0 ? (v.hi < 1 ? v.hi : 1.0) : 0.0;
  return IsNan(line.x) ? line.x : inside;
}

// alpha strictly between the clamp edges, where the exact line is in
// (0, 1), and 0 at both edges and beyond, as TensorFlow, PyTorch and JAX
// give (TensorFlow.js gives alpha at the edges).
ACT_INLINE double HardSigmoidSlopeOf(HardSigmoidLine line, double alpha) {
  const dd::DD v = line.v;
  const bool inside = v.hi > 0 && (v.hi < 1 || (v.hi == 1 && v.lo < 0));
  return IsNan(line.x) ? line.x : (inside ? alpha : 0.0);
}

// 0 at and below -3 and 1 at and above 3, as TensorFlow and JAX give;
// PyTorch gives -0.5 and 1.5 at the two points.
ACT_INLINE double HardSwishDerivative(double x) {
  return x <= -3 ? 0.0 : (x >= 3 ? 1.0 : NanOr(x, (2 * x + 3) / 6));
}

// ---------------------------------------------------------------------------
// Float arrays: double arithmetic and the pieces of vector_math.h.

// The hard sigmoid's parameters for float x, prepared once per call:
// alpha cut in two halves of at most 26 and 27 bits, so that x times each
// is exact in double, and beta - 1 as a rounded value and its error, for
// the edge at 1. The first half times an infinite x is the infinity of
// the line, so it must not be 0: a subnormal alpha, whose 26 leading bits
// may all be zeros, is kept whole there (x alpha is then not exact, but
// the line is beta to 2^-1000). Infinite x enters the second half's
// product as the largest float, where 0 times it would give NaN; with
// alpha = 0 the first half's too, which makes the line beta everywhere.
struct FloatHardSigmoid {
  double alpha;
  double alpha_hi;
  double alpha_lo;
  double beta;
  double beta_minus_one;
  double beta_minus_one_error;
  float hi_x_limit;
};

ACT_INLINE FloatHardSigmoid FloatHardSigmoidOf(double alpha, double beta) {
  const double truncated =
      dd::FromBits(dd::BitsOf(alpha) & ~((uint64_t{1} << 27) - 1));
  const double alpha_hi = truncated == 0 ? alpha : truncated;
  const dd::DD b1 = dd::TwoSum(beta, -1.0);
  const float hi_x_limit = alpha == 0 ? 3.40282347e38f : __builtin_inff();
  return {alpha, alpha_hi,  alpha - alpha_hi, beta,
          b1.hi, b1.lo,     hi_x_limit};
}

struct FloatFunctions {
  ACT_INLINE static double LeakyReluGrad(double dy, double x, double alpha) {
    return dy * LeakyReluDerivative(x, alpha);
  }
  // An alpha that is a float: the product of two floats is exact in
  // double, so the float product gives the same bits as the double one.
  ACT_INLINE static float LeakyReluFloatAlpha(float x, float alpha) {
    return x < 0 ? alpha * x : x;
  }
  ACT_INLINE static float LeakyReluGradFloatAlpha(float dy, float x,
                                                  float alpha) {
    return dy * (x > 0 ? 1.0f : (x != x ? x : alpha));
  }

  // alpha expm1(x) with the product in double, rounded once, so that any
  // alpha costs no more than the one rounding.
  ACT_INLINE static float Elu(float x, double alpha) {
    const double m = vf::Expm1NonPositive(x);
    return x > 0 ? x : static_cast<float>(alpha * m);
  }
  // An alpha that is a float (1, the default, among them): the product of
  // two floats is exact in double, so the float product, rounded once,
  // gives the same bits as Elu without the widening.
  ACT_INLINE static float EluFloatAlpha(float x, float alpha) {
    const float m = vf::Expm1NonPositive(x);
    return x > 0 ? x : alpha * m;
  }
  // alpha e^x; below x = -600 with a large alpha, as (alpha 2^-600)
  // e^(x + 600 ln2), since vec::Exp stops at e^-700 and alpha up to 2^1024
  // would carry that into range.
  // dy alpha e^x with e^x from the float exponential's parts, finished in
  // double: e^x = (1 + s) 2^n, with 2^n applied in two halves, the first
  // to alpha before (1 + s), so that no alpha up to the largest double
  // overflows midway and none that matters underflows. |x| is clamped at
  // 905, below which |dy| alpha e^x is under 2^-150 for every double
  // alpha, or at 700 for |alpha| <= 1 (under 2^-150 from 194), as the
  // double exponential did: the slope stays above zero, so that an
  // infinite dy gives an infinity rather than NaN.
  ACT_INLINE static float EluGrad(float dy, float x, double alpha) {
    const float limit = Abs(alpha) > 1 ? 905.0f : 700.0f;
    const vf::ExpParts e = vf::ExpSplit(-vf::AbsAtMost(x, limit));
    const int32_t first = e.n >> 1;
    const double slope = ((alpha * vf::PowerOfTwoDouble(first)) *
                          (1.0 + static_cast<double>(e.s))) *
                         vf::PowerOfTwoDouble(e.n - first);
    const double y = static_cast<double>(dy) * (x > 0 ? 1.0 : slope);
    return x != x ? x : static_cast<float>(y);
  }

  ACT_INLINE static float Selu(float x) {
    const bool positive = x > 0;
    const double v = positive ? x : vf::Expm1NonPositive(x);
    return static_cast<float>((positive ? kSeluScale : kSeluScaleAlpha) * v);
  }
  // e^x from the float exponential's parts, finished in double; |x| is
  // clamped at 200, below which |dy| scale alpha e^x is under 2^-150.
  ACT_INLINE static float SeluGrad(float dy, float x) {
    const double e = vf::ExpOfNegativeAsDouble(vf::AbsAtMost(x, 200.0f));
    const double slope = x > 0 ? kSeluScale : kSeluScaleAlpha * e;
    const double y = static_cast<double>(dy) * slope;
    return x != x ? x : static_cast<float>(y);
  }

  // With alpha < 0, x / alpha is positive and alpha e^(x/alpha) stays in
  // range past e^700, where vec::Exp stops: there it is taken as
  // (alpha 2^600) e^(x/alpha - 600 ln2), the 1 of expm1 long gone.
  // Where |x / alpha| is below 2^-60 (and may have underflowed to 0 for
  // a huge alpha), alpha (e^(x/alpha) - 1) rounds to x.
  ACT_INLINE static double Celu(double x, double alpha) {
    const double q = x / alpha;
    const bool deep = q > 600;
    const double m = vec::Expm1(deep ? q - kLn2Times600 : q);
    const double value = (deep ? alpha * 0x1p600 : alpha) * m;
    return x > 0 || Abs(q) < 0x1p-60 ? x : value;
  }
  ACT_INLINE static double CeluGrad(double dy, double x, double alpha) {
    return dy * (x > 0 ? 1.0 : vec::Exp(x / alpha));
  }
  // alpha = 1, the default: x / alpha is x, and the gradient ELU's.
  ACT_INLINE static float CeluGradUnitAlpha(float dy, float x) {
    const double e = vf::ExpOfNegativeAsDouble(vf::AbsAtMost(x, 200.0f));
    const double y = static_cast<double>(dy) * (x > 0 ? 1.0 : e);
    return x != x ? x : static_cast<float>(y);
  }

  // Phi(x) from erfc(|x|/sqrt(2)), reflected for positive x, where
  // 1 - erfc/2 stays at or above 1/2 and so does not cancel; erfc keeps
  // the negative tail where 1 + erf would cancel to zero.
  ACT_INLINE static double GaussCdf(double x) {
    const double tail = 0.5 * vec::ErfcNonNegative(Abs(x) * kInvSqrt2Hi);
    return x < 0 ? tail : 1.0 - tail;
  }
  ACT_INLINE static double GaussPdf(double x) {
    return kInvSqrt2Pi * vec::Exp(-0.5 * x * x);
  }

  ACT_INLINE static float Gelu(float x) { return vf::Gelu(x); }
  // Phi(x) + x phi(x); at the infinities, the limits 1 and 0.
  ACT_INLINE static double GeluGrad(double dy, double x) {
    const double d = GaussCdf(x) + x * GaussPdf(x);
    return dy * (Abs(x) == kInf ? (x > 0 ? 1.0 : 0.0) : d);
  }

  // The tanh form, as x sigmoid(2u) with u = sqrt(2/pi) (x + 0.044715 x^3):
  // the same function, without 1 + tanh's cancellation for x < 0.
  ACT_INLINE static float GeluTanh(float x) { return vf::GeluTanh(x); }
  // d/dx x s(w) = s + x w' s (1 - s) with w = 2u, from one exponential
  // e = e^-|w| and d = 1 + e: (d + x w' e) / d^2 for w >= 0 and
  // e (d + x w') / d^2 below, where the bracket crosses zero near -0.7525
  // and e keeps double's precision for it.
  ACT_INLINE static double GeluTanhGrad(double dy, double x) {
    const double x2 = x * x;
    const double w = 2 * kGeluTanhScale * (x + kGeluTanhCubic * x2 * x);
    const double dw = 2 * kGeluTanhScale * (1 + 3 * kGeluTanhCubic * x2);
    const double e = vec::Exp(-Abs(w));
    const double d = 1 + e;
    const double xdw = x * dw;
    const double numerator = w < 0 ? e * (d + xdw) : d + xdw * e;
    const double slope = numerator / (d * d);
    return dy * (Abs(x) == kInf ? (x > 0 ? 1.0 : 0.0) : slope);
  }

  // beta = 1, the default, where beta x is x and needs no rounding.
  ACT_INLINE static float SiluUnitBeta(float x) { return vf::Silu(x); }
  ACT_INLINE static double Silu(double x, double beta) {
    const double y = x * vec::Sigmoid(beta * x);
    const double at_infinity =
        x > 0 ? (beta >= 0 ? x : 0.0) : (beta > 0 ? -0.0 : x);
    return Abs(x) == kInf ? at_infinity : y;
  }
  // s (1 + z (1 - s)) with z = beta x and s = sigma(z); at infinite z the
  // limits 1 and 0, and 1/2 everywhere when beta is 0.
  // Past |z| = 745, where e^-|z| is below every double, the limits too:
  // vec::Sigmoid's e^-700 floor times a z of 10^300 would not vanish.
  // From one exponential e = e^-|z| and d = 1 + e: (d + z e) / d^2 for
  // z >= 0 and e (d + z) / d^2 below, where d + z crosses zero near
  // -1.2785 and e keeps double's precision for it.
  ACT_INLINE static double SiluGrad(double dy, double x, double beta) {
    const double z = beta * x;
    const double e = vec::Exp(-Abs(z));
    const double one_plus_e = 1 + e;
    const double numerator =
        z < 0 ? e * (one_plus_e + z) : one_plus_e + z * e;
    const double d = numerator / (one_plus_e * one_plus_e);
    const double limit = beta == 0 ? NanOr(x, 0.5) : (z > 0 ? 1.0 : 0.0);
    return dy * ((beta == 0 || Abs(z) > 745) ? limit : d);
  }

  // tanh(softplus(x)) = n / (n + 2) with n = e^x (e^x + 2): exact algebra
  // that needs neither log1p nor tanh and stays accurate for very negative
  // x. Past x = 40 the ratio is 1 in double, so the exponent is clamped
  // there.
  ACT_INLINE static double Mish(double x) {
    const double e = vec::Exp(x > 40 ? 40.0 : x);
    const double n = e * (e + 2);
    return x == -kInf ? -0.0 : x * (n / (n + 2));
  }
  // t + x sigma(x) (1 - t^2), t = tanh(softplus(x)), with q = e^-|x|: for
  // x <= 0 (q = e^x, n = q (q + 2)) it is n/(n + 2) + 4xq (1 + q)/(n + 2)^2;
  // for x > 0, with D = 1 + 2q + 2q^2, (1 + 2q)/D + 4xq^2 (1 + q)/D^2, so
  // that x (1 - t^2) goes to 0 rather than growing where t rounds to 1.
  ACT_INLINE static double MishGrad(double dy, double x) {
    const double q = vec::Exp(-Abs(x));
    const double n = q * (q + 2);
    const double n2 = n + 2;
    const double below = n / n2 + 4 * x * q * (1 + q) / (n2 * n2);
    const double d = 1 + 2 * q + 2 * q * q;
    const double above = (1 + 2 * q) / d + 4 * x * q * q * (1 + q) / (d * d);
    const double slope = x > 0 ? above : below;
    return dy * (Abs(x) == kInf ? (x > 0 ? 1.0 : 0.0) : slope);
  }

  ACT_INLINE static float Sigmoid(float x) { return vf::Sigmoid(x); }
  // sigma(x) (1 - sigma(x)) = e / (1 + e)^2 with e = exp(-|x|): symmetric
  // and free of the cancellation in 1 - sigma. e from the float
  // exponential's parts, the rest in double; |x| is clamped at 200, where
  // |dy| e is under 2^-150.
  ACT_INLINE static float SigmoidGrad(float dy, float x) {
    const double e = vf::ExpOfNegativeAsDouble(vf::AbsAtMost(x, 200.0f));
    const double d = 1 + e;
    const double y = static_cast<double>(dy) * (e / (d * d));
    return x != x ? x : static_cast<float>(y);
  }

  // The exact line: x has 24 significant bits, so with alpha cut in two
  // halves of at most 27 bits, x * alpha_hi and x * alpha_lo are exact.
  ACT_INLINE static HardSigmoidLine Line(double x, double alpha, double beta) {
    const double alpha_hi =
        dd::FromBits(dd::BitsOf(alpha) & ~((uint64_t{1} << 27) - 1));
    const double alpha_lo = alpha - alpha_hi;
    const dd::DD s = dd::TwoSum(x * alpha_hi, beta);
    const dd::DD t = dd::TwoSum(s.hi, x * alpha_lo);
    const dd::DD v = dd::FastTwoSum(t.hi, t.lo + s.lo);
    // Infinite x, or a product or line past the largest double: the plain
    // line, whose infinity clamps the same way; alpha = 0: beta.
    const double line = alpha == 0 ? beta : alpha * x + beta;
    const bool finite = Abs(x) != kInf && Abs(alpha * x) < kInf &&
                        Abs(line) < kInf && !IsNan(v.hi);
    return {finite ? v : dd::DD{line, 0.0}, x};
  }
  ACT_INLINE static double HardSigmoid(double x, double alpha, double beta) {
    return HardSigmoidOf(Line(x, alpha, beta));
  }
  ACT_INLINE static double HardSigmoidGrad(double dy, double x, double alpha,
                                double beta) {
    return dy * HardSigmoidSlopeOf(Line(x, alpha, beta), alpha);
  }

  // x alpha as two exact products (see FloatHardSigmoid).
  struct LineTerms {
    double p;
    double q;
  };
  ACT_INLINE static LineTerms TermsOf(float x, const FloatHardSigmoid& h) {
    // On the bits, since a float select here would split the loop; a NaN
    // x gives a number, which the callers replace.
    constexpr float kFloatMax = 3.40282347e38f;
    const float x_hi = vf::WithSignOf(vf::AbsAtMost(x, h.hi_x_limit), x);
    const float x_lo = vf::WithSignOf(vf::AbsAtMost(x, kFloatMax), x);
    return {static_cast<double>(x_hi) * h.alpha_hi,
            static_cast<double>(x_lo) * h.alpha_lo};
  }
  // The line for float x without double-double steps: (p + beta) + q has
  // the exact line's sign, is 0 only where it is, and is within 2^-52 of
  // it. Either p + beta cancels (p and -beta within a factor 2 of each
  // other) and is exact, or it does not and is at least |p| / 2, which
  // dwarfs q (2^-26 of p). The edge at 1 is the line with beta - 1, its
  // rounding error added last. An infinite x gives the line's infinity.
  ACT_INLINE static float HardSigmoid(float x, const FloatHardSigmoid& h) {
    const LineTerms t = TermsOf(x, h);
    const double v = (t.p + h.beta) + t.q;
    // Rounded once to float from within 2^-52 of the exact line, then
    // clamped, which gives what clamping first would: a line that rounds
    // to 1 or to a zero was next to 1 or 0 on the same side. The clamp is
    // on the bits, whose integer order is the order of non-negative
    // floats (negative ones, -0 among them, become +0).
    const int32_t bits = vf::BitsOf(static_cast<float>(v));
    const int32_t low = bits > 0 ? bits : 0;
    const int32_t one = vf::BitsOf(1.0f);
    return x != x ? x : vf::FromBits(low < one ? low : one);
  }
  ACT_INLINE static float HardSigmoidGrad(float dy, float x,
                                          const FloatHardSigmoid& h) {
    const LineTerms t = TermsOf(x, h);
    const double above_zero = (t.p + h.beta) + t.q;
    const double minus_one =
        ((t.p + h.beta_minus_one) + t.q) + h.beta_minus_one_error;
    const bool inside = above_zero > 0 && minus_one < 0;
    const double y = static_cast<double>(dy) * (inside ? h.alpha : 0.0);
    return x != x ? x : static_cast<float>(y);
  }

  // x relu6(x + 3) / 6; every x at or below -3 gives -0, as the product
  // does. In double, x + 3 and the product round at 2^-53 and 1/6 is a
  // product, cheaper than the quotient, before the one rounding to float.
  ACT_INLINE static float HardSwish(float x) {
    constexpr double kSixth = 1.0 / 6;
    const double v = x;
    const float inside = static_cast<float>(v * (v + 3) * kSixth);
    return x <= -3 ? -0.0f : (x >= 3 ? x : inside);
  }
  ACT_INLINE static float HardSwishGrad(float dy, float x) {
    constexpr double kSixth = 1.0 / 6;
    const double v = x;
    const double slope = v <= -3 ? 0.0 : (v >= 3 ? 1.0 : (2 * v + 3) * kSixth);
    const double y = static_cast<double>(dy) * slope;
    return x != x ? x : static_cast<float>(y);
  }

  ACT_INLINE static float Tanh(float x) { return vf::Tanh(x); }
  // 1 - tanh(x)^2 = 4e / (1 + e)^2 with e = exp(-2|x|), which keeps its
  // relative precision where tanh(x) rounds to 1. As SigmoidGrad, with |x|
  // clamped at 100.
  ACT_INLINE static float TanhGrad(float dy, float x) {
    const double e =
        vf::ExpOfNegativeAsDouble(2.0f * vf::AbsAtMost(x, 100.0f));
    const double d = 1 + e;
    const double y = static_cast<double>(dy) * (4 * e / (d * d));
    return x != x ? x : static_cast<float>(y);
  }

  // log(1 + e^(beta x)) / beta as max(z, 0)/beta + log1p(e^-|z|)/beta with
  // z = beta x, so that e^z never overflows; for z > 0 the first term is
  // written as x, which it is, to spare a rounding.
  // Below -|z| = -600 with a small beta, log1p(e^-|z|) is e^-|z| and is
  // taken as e^(600 ln2 - |z|) (2^-600 / beta), since vec::Exp stops at
  // e^-700 and 1/beta up to 2^1074 would carry that into range.
  // beta = 1, the default, where beta x is x and needs no rounding.
  ACT_INLINE static float SoftplusUnitBeta(float x) { return vf::Softplus(x); }
  ACT_INLINE static double Softplus(double x, double beta) {
    const double z = beta * x;
    const bool deep = Abs(z) > 600 && Abs(beta) < 1;
    const double e = vec::Exp(deep ? kLn2Times600 - Abs(z) : -Abs(z));
    const double correction =
        deep ? e * (0x1p-600 / beta) : vec::Log1pUnit(e) / beta;
    return z > 0 ? x + correction : correction;
  }
  ACT_INLINE static double SoftplusGrad(double dy, double x, double beta) {
    return dy * vec::Sigmoid(beta * x);
  }

  // In float: the rounding of 1 + |x| and the quotient's together stay
  // within one ulp (20 million random floats of every magnitude: 4% off
  // by one, none by two), and the float division is a quarter of the
  // cost of two double ones.
  ACT_INLINE static float Softsign(float x) {
    const float a = vf::Abs(x);
    const float y = x / (1.0f + a);
    return a == __builtin_inff() ? vf::WithSignOf(1.0f, x) : y;
  }
  ACT_INLINE static double SoftsignGrad(double dy, double x) {
    const double d = 1 + Abs(x);
    return dy * (1 / (d * d));
  }
};

// ---------------------------------------------------------------------------
// Double arrays: double-double arithmetic, rounded once.

struct DoubleFunctions {
  using DD = dd::DD;
  using Scaled = dd::Scaled;

  // A result that rounds to zero takes the sign of `sign`, which has the
  // sign of the exact value: double-double steps such as -0 + 0 lose it.
  ACT_INLINE static double KeepSign(double y, double sign) {
    return y == 0 ? std::copysign(0.0, sign) : y;
  }

  ACT_INLINE static double LeakyReluGrad(double dy, double x, double alpha) {
    return dy * LeakyReluDerivative(x, alpha);
  }

  // expm1 keeps the sign of a zero, and so does alpha * expm1 for
  // alpha > 0; the double-double product would not.
  ACT_INLINE static double Elu(double x, double alpha) {
    const double y = dd::Value(dd::Mul(dd::Expm1(DD{x, 0.0}), alpha));
    return x > 0 ? x : (x == 0 ? alpha * x : KeepSign(y, alpha * x));
  }
  ACT_INLINE static double EluGrad(double dy, double x, double alpha) {
    const Scaled slope = dd::Times(dd::Exp(x), alpha);
    return x > 0 ? dy : dd::RoundTimes(dy, slope);
  }

  ACT_INLINE static double Selu(double x) {
    const double product = kSeluScale * x;
    const double positive = dd::IsFinite(product)
                                ? dd::Value(dd::Mul(kSeluScaleDD, x))
                                : product;
    const double negative =
        dd::Value(dd::Mul(kSeluScaleAlphaDD, dd::Expm1(DD{x, 0.0})));
    return x > 0 ? positive : (x == 0 ? x : KeepSign(negative, x));
  }
  ACT_INLINE static double SeluGrad(double dy, double x) {
    const Scaled negative = dd::Times(dd::Exp(x), kSeluScaleAlphaDD);
    const Scaled slope = dd::Select(x > 0, dd::Unscaled(kSeluScaleDD),
                                    negative);
    return dd::RoundTimes(dy, slope);
  }

  // x / alpha as a double-double, so that e^(x/alpha) at x/alpha = -700
  // is not off by 350 ulps from the rounding of the quotient.
  ACT_INLINE static DD Quotient(double x, double alpha) {
    const double q = x / alpha;
    return {q, std::fma(-q, alpha, x) / alpha};
  }
  // With alpha < 0, x / alpha is positive and e^(x/alpha) may pass the
  // largest double while alpha e^(x/alpha) does not: past 40, where the 1
  // of expm1 no longer shows, or where the product overflowed, it is taken
  // from the scaled e^q.
  ACT_INLINE static double Celu(double x, double alpha) {
    const DD q = Quotient(x, alpha);
    const double y = dd::Value(dd::Mul(dd::Expm1(q), alpha));
    const double large = dd::Round(dd::Times(dd::Exp(q), alpha));
    const double value = q.hi > 40 ? large : (dd::IsFinite(y) ? y : large);
    // Below 2^-60, alpha (e^q - 1) rounds to x, also where q underflowed.
    const bool linear = x != 0 && Abs(q.hi) < 0x1p-60;
    return x > 0 || linear ? x
                           : (x == 0 ? alpha * (x / alpha) : KeepSign(value, x));
  }
  ACT_INLINE static double CeluGrad(double dy, double x, double alpha) {
    return x > 0 ? dy : dd::RoundTimes(dy, dd::Exp(Quotient(x, alpha)));
  }

  // Phi(x) and phi(x) from one e^(-x^2/2): with a = |x|/sqrt(2) and
  // erfc(a) = decay * ratio, Phi(-|x|) = decay ratio / 2 and
  // phi(x) = decay / sqrt(2 pi). x is taken in [-60, 40], beyond which
  // gelu and its gradient are their limits.
  struct Gauss {
    dd::ErfcParts erfc;
    double x;
  };
  ACT_INLINE static Gauss GaussAt(double x) {
    const double xc = dd::AtMost(dd::AtLeast(x, -60.0), 40.0);
    const DD square = dd::TwoProduct(xc, xc);
    const DD half_square = {0.5 * square.hi, 0.5 * square.lo};
    const DD a = dd::Mul(kInvSqrt2, Abs(xc));
    return {dd::Erfc(a, half_square), xc};
  }

  ACT_INLINE static double Gelu(double x) {
    const Gauss g = GaussAt(x);
    const Scaled tail = {dd::Mul(g.erfc.decay.v, dd::Mul(g.erfc.ratio, 0.5)),
                         g.erfc.decay.k};
    const Scaled negative = dd::Times(tail, g.x);
    const DD cdf = dd::Add(dd::Negate(dd::ToDD(tail)), 1.0);
    const Scaled positive = dd::Unscaled(dd::Mul(cdf, g.x));
    const double y = dd::Round(dd::Select(x < 0, negative, positive));
    return x > 40 ? x : (x < -60 ? -0.0 : KeepSign(y, x));
  }
  // Phi(x) + x phi(x). For x < 0 both terms carry the decay, and the
  // bracket ratio/2 + x/sqrt(2 pi) cancels only near the zero at -0.7518.
  ACT_INLINE static double GeluGrad(double dy, double x) {
    const Gauss g = GaussAt(x);
    const DD half_ratio = dd::Mul(g.erfc.ratio, 0.5);
    const DD bracket = dd::Add(half_ratio, dd::Mul(kInvSqrt2PiDD, g.x));
    const Scaled negative = dd::Times(g.erfc.decay, bracket);
    const DD decay = dd::ToDD(g.erfc.decay);
    const DD cdf = dd::Add(dd::Negate(dd::Mul(decay, half_ratio)), 1.0);
    const DD density = dd::Mul(dd::Mul(decay, kInvSqrt2PiDD), g.x);
    const Scaled positive = dd::Unscaled(dd::Add(cdf, density));
    const Scaled slope = dd::Select(x < 0, negative, positive);
    const Scaled limit = dd::Unscaled(DD{x > 0 ? 1.0 : 0.0, 0.0});
    const Scaled inside = dd::Select(x < -60, limit, slope);
    return dd::RoundTimes(dy, dd::Select(x > 40, limit, inside));
  }

  // w = 2u = sqrt(8/pi) (x + 0.044715 x^3) for x in [-30, 10]: beyond, the
  // tanh GELU is x (sigmoid(w) = 1 - e^-87) or 0 (e^w below 2^-2800).
  ACT_INLINE static DD GeluTanhArgument(double x) {
    const DD cube = dd::Mul(dd::TwoProduct(x, x), x);
    return dd::Mul(kSqrt8OverPi,
                   dd::Add(dd::Mul(kGeluTanhCubicDD, cube), x));
  }
  ACT_INLINE static double GeluTanh(double x) {
    const double xc = dd::AtMost(dd::AtLeast(x, -30.0), 10.0);
    const Scaled s = dd::Sigmoid(GeluTanhArgument(xc));
    const double y = dd::Round(dd::Times(s, xc));
    return x > 10 ? x : (x < -30 ? -0.0 : KeepSign(y, x));
  }
  // sigmoid(w) + x w'(x) sigmoid'(w): with e = e^-|w| and d = 1 + e,
  // e (1/d + x w' / d^2) for w < 0, keeping the tail's scale, and
  // 1/d + e x w' / d^2 otherwise.
  ACT_INLINE static double GeluTanhGrad(double dy, double x) {
    const double xc = dd::AtMost(dd::AtLeast(x, -30.0), 10.0);
    const DD w = GeluTanhArgument(xc);
    const DD dw = dd::Mul(
        kSqrt8OverPi,
        dd::Add(dd::Mul(kThreeGeluTanhCubic, dd::TwoProduct(xc, xc)), 1.0));
    const DD slope = dd::Mul(dw, xc);
    const dd::Logistic l = dd::LogisticParts(w);
    const DD d = l.one_plus_e;
    const DD inverse = dd::Div(dd::kOne, d);
    const DD weighted = dd::Div(slope, dd::Mul(d, d));
    const Scaled negative = dd::Times(l.e, dd::Add(inverse, weighted));
    const Scaled positive = dd::Unscaled(
        dd::Add(inverse, dd::Mul(dd::ToDD(l.e), weighted)));
    const Scaled grad = dd::Select(w.hi < 0, negative, positive);
    const Scaled limit = dd::Unscaled(DD{x > 0 ? 1.0 : 0.0, 0.0});
    const Scaled inside = dd::Select(x < -30, limit, grad);
    return dd::RoundTimes(dy, dd::Select(x > 10, limit, inside));
  }

  ACT_INLINE static double Silu(double x, double beta) {
    const Scaled s = dd::Sigmoid(dd::TwoProduct(beta, x));
    const double y = dd::Round(dd::Times(s, x));
    // At infinite x: x where beta x goes to +inf, 0 of x's sign where it
    // goes to -inf; beta = 0 is x/2 everywhere.
    const double at_infinity =
        beta * x > 0 ? x : (x < 0 ? -0.0 : 0.0);
    const double finite = KeepSign(y, x);
    return beta == 0 ? x * 0.5 : (Abs(x) == kInf ? at_infinity : finite);
  }
  // With z = beta x, e = e^-|z| and d = 1 + e: e (d + z) / d^2 for z < 0,
  // and 1/d + z e / d^2 otherwise.
  ACT_INLINE static double SiluGrad(double dy, double x, double beta) {
    const DD z = dd::Tame(dd::TwoProduct(beta, x));
    const dd::Logistic l = dd::LogisticParts(z);
    const DD d = l.one_plus_e;
    const DD d2 = dd::Mul(d, d);
    const Scaled negative = dd::Times(l.e, dd::Div(dd::Add(d, z), d2));
    const Scaled positive = dd::Unscaled(
        dd::Add(dd::Div(dd::kOne, d), dd::Mul(z, dd::Div(dd::ToDD(l.e), d2))));
    const Scaled grad = dd::Select(z.hi < 0, negative, positive);
    const Scaled limit = dd::Unscaled(DD{z.hi > 0 ? 1.0 : 0.0, 0.0});
    const Scaled finite = dd::Select(Abs(z.hi) == kInf, limit, grad);
    const Scaled half = dd::Unscaled(DD{NanOr(x, 0.5), 0.0});
    return dd::RoundTimes(dy, dd::Select(beta == 0, half, finite));
  }

  // tanh(softplus(x)) with q = e^-|x|: for x <= 0, q (q + 2)/(n + 2) with
  // n = q (q + 2), keeping the tail's scale; for x > 0,
  // (1 + 2q)/(1 + 2q + 2q^2).
  ACT_INLINE static double Mish(double x) {
    const double xc = dd::AtMost(x, 800.0);
    const Scaled q = dd::Exp(-Abs(xc));
    const DD qd = dd::ToDD(q);
    const DD two_q = {2 * qd.hi, 2 * qd.lo};
    const DD d = dd::Add(dd::Add(dd::Mul(dd::Mul(qd, qd), 2.0), two_q), 1.0);
    const DD above = dd::Mul(dd::Div(dd::Add(two_q, 1.0), d), x);
    const DD q_plus_2 = dd::Add(qd, 2.0);
    const DD n2 = dd::Add(dd::Mul(qd, q_plus_2), 2.0);
    const Scaled below = dd::Times(dd::Times(q, dd::Div(q_plus_2, n2)), xc);
    const double y = dd::Round(dd::Select(x > 0, dd::Unscaled(above), below));
    return x == kInf ? x : (x == -kInf ? -0.0 : KeepSign(y, x));
  }
  // t + x sigma(x) (1 - t^2) with q = e^-|x|: for x <= 0,
  // q ((q + 2)/(n + 2) + 4x (1 + q)/(n + 2)^2); for x > 0,
  // (1 + 2q)/D + 4x q^2 (1 + q)/D^2 with D = 1 + 2q + 2q^2.
  ACT_INLINE static double MishGrad(double dy, double x) {
    const double xc = dd::AtMost(dd::AtLeast(x, -1600.0), 800.0);
    const Scaled q = dd::Exp(-Abs(xc));
    const DD qd = dd::ToDD(q);
    const DD two_q = {2 * qd.hi, 2 * qd.lo};
    const DD q2 = dd::Mul(qd, qd);
    const DD one_plus_q = dd::Add(qd, 1.0);
    const DD d = dd::Add(dd::Add(dd::Mul(q2, 2.0), two_q), 1.0);
    const DD t = dd::Div(dd::Add(two_q, 1.0), d);
    const DD above = dd::Add(
        t, dd::Div(dd::Mul(dd::Mul(q2, one_plus_q), 4 * xc), dd::Mul(d, d)));
    const DD q_plus_2 = dd::Add(qd, 2.0);
    const DD n2 = dd::Add(dd::Mul(qd, q_plus_2), 2.0);
    const DD first = dd::Div(q_plus_2, n2);
    const DD second = dd::Div(dd::Mul(one_plus_q, 4 * xc), dd::Mul(n2, n2));
    const Scaled below = dd::Times(q, dd::Add(first, second));
    const Scaled slope = dd::Select(x > 0, dd::Unscaled(above), below);
    const Scaled limit = dd::Unscaled(DD{x > 0 ? 1.0 : 0.0, 0.0});
    return dd::RoundTimes(dy, dd::Select(Abs(x) == kInf, limit, slope));
  }

  ACT_INLINE static double Sigmoid(double x) {
    return dd::Round(dd::Sigmoid(DD{x, 0.0}));
  }
  ACT_INLINE static double SigmoidGrad(double dy, double x) {
    return dd::RoundTimes(dy, dd::SigmoidSlope(DD{x, 0.0}));
  }

  // The exact line, from the product's error term. Where the product or
  // the line overflows, the plain line, whose infinity clamps the same way.
  ACT_INLINE static HardSigmoidLine Line(double x, double alpha, double beta) {
    const DD p = dd::TwoProduct(alpha, x);
    const DD s = dd::TwoSum(p.hi, beta);
    const DD v = dd::FastTwoSum(s.hi, s.lo + p.lo);
    const double line = alpha == 0 ? beta : alpha * x + beta;
    const bool finite =
        dd::IsFinite(p.hi) && dd::IsFinite(line) && !IsNan(v.hi);
    return {finite && alpha != 0 ? v : DD{line, 0.0}, x};
  }
  ACT_INLINE static double HardSigmoid(double x, double alpha, double beta) {
    return HardSigmoidOf(Line(x, alpha, beta));
  }
  ACT_INLINE static double HardSigmoidGrad(double dy, double x, double alpha,
                                double beta) {
    return dy * HardSigmoidSlopeOf(Line(x, alpha, beta), alpha);
  }

  ACT_INLINE static double HardSwish(double x) {
    const DD y = dd::Div(dd::Mul(dd::TwoSum(x, 3.0), x), DD{6.0, 0.0});
    const double inside = KeepSign(dd::Value(y), x);
    return x <= -3 ? -0.0 : (x >= 3 ? x : inside);
  }
  ACT_INLINE static double HardSwishGrad(double dy, double x) {
    const DD slope = dd::Div(dd::TwoSum(2 * x, 3.0), DD{6.0, 0.0});
    const DD outside = {x > 0 ? 1.0 : NanOr(x, 0.0), 0.0};
    return dd::RoundTimes(dy, dd::Unscaled(dd::Select(Abs(x) < 3, slope,
                                                      outside)));
  }

  // sign(x) e / (e + 2) with e = expm1(2|x|); past |x| = 20 the ratio is 1
  // in double.
  ACT_INLINE static double Tanh(double x) {
    const double a = dd::AtMost(Abs(x), 20.0);
    const DD e = dd::Expm1(DD{2 * a, 0.0});
    const double t = dd::Value(dd::Div(e, dd::Add(e, 2.0)));
    const double magnitude = Abs(x) >= 20 ? 1.0 : t;
    return x < 0 ? -magnitude : (x > 0 ? magnitude : x);
  }
  // 4e / (1 + e)^2 with e = e^(-2|x|).
  ACT_INLINE static double TanhGrad(double dy, double x) {
    const Scaled e = dd::Exp(-2 * Abs(x));
    const DD d = dd::Add(dd::ToDD(e), 1.0);
    const Scaled slope = {dd::Div(dd::Mul(e.v, 4.0), dd::Mul(d, d)), e.k};
    return dd::RoundTimes(dy, slope);
  }

  // With z = beta x: x + log1p(e^-z)/beta for z > 0, log1p(e^z)/beta
  // otherwise. Dividing by beta is multiplying by the inverse of its
  // mantissa with its exponent moved into the scale, so that a tiny beta (a
  // quotient past the largest double) cannot overflow midway; in the far
  // tail (e^z below 2^-60) log1p(e^z) is e^z (1 - e^z/2), keeping its
  // scale.
  ACT_INLINE static double Softplus(double x, double beta) {
    const DD z = dd::Tame(dd::TwoProduct(beta, x));
    const Scaled e = dd::Exp(z.hi > 0 ? dd::Negate(z) : z);
    const DD ed = dd::ToDD(e);
    const dd::Split b = dd::Frexp(beta);
    const DD inverse = dd::Div(dd::kOne, DD{b.m, 0.0});
    const Scaled log = dd::Times(Scaled{dd::Log1p(ed), -b.e}, inverse);
    const Scaled tail = dd::Times(
        Scaled{dd::Mul(e.v, 1 - 0.5 * ed.hi), e.k - b.e}, inverse);
    const DD correction = dd::ToDD(log);
    const double above =
        dd::Fallback(dd::Value(dd::Add(correction, x)), correction.hi + x);
    const double below = dd::Round(e.k < -60 ? tail : log);
    const double y = z.hi > 0 ? above : below;
    const double at_infinity = z.hi > 0 ? x : (beta > 0 ? 0.0 : -0.0);
    return IsNan(x) ? x : (Abs(z.hi) == kInf ? at_infinity : y);
  }
  ACT_INLINE static double SoftplusGrad(double dy, double x, double beta) {
    return dd::RoundTimes(dy, dd::Sigmoid(dd::TwoProduct(beta, x)));
  }

  ACT_INLINE static double Softsign(double x) {
    const double y = dd::Value(dd::Div(DD{x, 0.0}, dd::TwoSum(1.0, Abs(x))));
    const double finite = KeepSign(y, x);
    return Abs(x) == kInf ? (x > 0 ? 1.0 : -1.0) : finite;
  }
  // 1 / (1 + |x|)^2 from the mantissa of 1 + |x|, so that the square
  // neither overflows nor underflows.
  ACT_INLINE static double SoftsignGrad(double dy, double x) {
    const Scaled d = dd::Normalize(dd::Unscaled(dd::TwoSum(1.0, Abs(x))));
    const Scaled slope = {dd::Div(dd::kOne, dd::Mul(d.v, d.v)), -2 * d.k};
    const Scaled limit = dd::Unscaled(DD{IsNan(x) ? x : 0.0, 0.0});
    return dd::RoundTimes(dy, Abs(x) < kInf ? slope : limit);
  }
};

}  // namespace
}  // namespace act

#endif  // ACTIVATIONS_ACTIVATION_MATH_H_
