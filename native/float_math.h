// Branch-free single-precision exp, expm1, sigmoid, tanh, GELU and
// softplus for the float kernels of the functions that the speed targets
// name.
//
// A float kernel built on these evaluates in float, eight or sixteen lanes
// to a vector, instead of widening each element to double: each stays
// within 2 ulp of the exact value (tests/accuracy_test.ts measures it).
// Arguments whose rounding in float would be amplified by exp (the cubic
// of GELU's tanh form) are reduced in double first, and only the
// polynomial runs in float. Like vector_math.h, no calls, loops or branches
// depend on the data, so that every instruction level vectorizes the loops
// that use them; no fused multiply-add, so that every level gives the same
// bits. The polynomials are fits to the relative error made for this
// library (Lawson's weighted least squares on Chebyshev nodes, mpmath as
// the reference), their error a tenth of an ulp or less.

#ifndef ACTIVATIONS_FLOAT_MATH_H_
#define ACTIVATIONS_FLOAT_MATH_H_

#include <cstdint>
#include <cstring>

#include "vector_math.h"

namespace act {
// Unnamed: each kernels file compiles its own copy with its own
// instruction-set flags, and the linker must not merge them.
namespace {
namespace vf {

ACT_INLINE int32_t BitsOf(float x) {
  int32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

ACT_INLINE float FromBits(int32_t bits) {
  float x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

ACT_INLINE float Abs(float x) { return FromBits(BitsOf(x) & 0x7fffffff); }

// min(|x|, limit) for a positive finite limit, and limit for a NaN: the
// minimum of the bits as integers, which order non-negative floats as the
// floats, NaN above all. A clamp written as a float select would let GCC
// split the loop into one copy per side of the clamp, each with its own
// division; the callers give NaN back at the end.
ACT_INLINE float AbsAtMost(float x, float limit) {
  const int32_t a = BitsOf(x) & 0x7fffffff;
  const int32_t l = BitsOf(limit);
  return FromBits(a < l ? a : l);
}

// `yes` where `condition` holds, else `no`, chosen on the bits.
ACT_INLINE float Choose(bool condition, float yes, float no) {
  return FromBits(condition ? BitsOf(yes) : BitsOf(no));
}

// All ones where x's sign bit is set (-0 and negative NaNs included), else
// all zeros. A condition that several selects share lets GCC split the
// loop body into one copy per side, each with its own division; a mask
// used in integer arithmetic does not.
ACT_INLINE int32_t SignMask(float x) { return BitsOf(x) >> 31; }

// `yes` where `mask` is all ones, `no` where it is all zeros.
ACT_INLINE float Blend(int32_t mask, float yes, float no) {
  return FromBits((BitsOf(yes) & mask) | (BitsOf(no) & ~mask));
}

// |magnitude| with the sign bit of `sign`.
ACT_INLINE float WithSignOf(float magnitude, float sign) {
  return FromBits((BitsOf(magnitude) & 0x7fffffff) |
                  (BitsOf(sign) & static_cast<int32_t>(0x80000000u)));
}

// y, or x itself where x is NaN or +Infinity: a NaN propagates, and
// +Infinity is the limit of the functions that grow like x.
ACT_INLINE float UnlessNanOrInfinity(float x, float y) {
  return Choose(x < __builtin_inff(), y, x);
}

// e^r - 1 for |r| <= ln2/2 + a little, as r + r^2 q(r) with q the Taylor
// series to r^7, whose remainder is below 6e-9 there. Callers add the 1
// last, or keep it apart, so that this part rounds on its own scale.
ACT_INLINE float ExpReducedMinusOne(float r) {
  // Horner's scheme: evaluated in pairs (Estrin's), the terms round
  // differently, and GELU's tanh form reached 3 ulp at one float.
  float q = 1.0f / 5040;
  q = q * r + 1.0f / 720;
  q = q * r + 1.0f / 120;
  q = q * r + 1.0f / 24;
  q = q * r + 1.0f / 6;
  q = q * r + 0.5f;
  return r + r * r * q;
}

// 2^n for an integer n in [-126, 127].
ACT_INLINE float PowerOfTwo(int32_t n) {
  return FromBits(static_cast<int32_t>(static_cast<uint32_t>(n + 127) << 23));
}

// p 2^n for an integer n in [-252, 127], as two exact powers of two, so
// that a subnormal result is rounded once, by the second product.
ACT_INLINE float Scale(float p, int32_t n) {
  const int32_t half = n >> 1;
  return (p * PowerOfTwo(half)) * PowerOfTwo(n - half);
}

// The same for n in [-190, 0] and p below 2^64: one power of two, which
// leaves the product normal and exact, then 2^-64, which rounds a
// subnormal result once; one product fewer than Scale on the path.
ACT_INLINE float ScaleDown(float p, int32_t n) {
  return (p * PowerOfTwo(n + 64)) * 0x1p-64f;
}

// e^x as p 2^n with p = 1 + s in [0.7, 1.42], kept apart so that a caller
// can scale a product of e^x rather than e^x itself, and round a subnormal
// result only once; s is p - 1 before p's rounding.
struct ExpParts {
  float p;
  float s;
  int32_t n;
};

ACT_INLINE ExpParts FromReduced(float r, int32_t n) {
  const float s = ExpReducedMinusOne(r);
  return {1.0f + s, s, n};
}

// 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an
// integer held in the low bits of the sum.
constexpr float kRoundingMagic = 12582912.0f;

// e^x for x in [-120, 0], which the callers' clamps guarantee (e^-120 is
// 2^-173, so that even e^x times the 120 of SiLU's x rounds to 0 below
// it). x = n ln2 + r with ln2 in two parts, the first of 9 bits so that
// n * kLn2Hi is exact for every n here.
ACT_INLINE ExpParts ExpSplit(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f;
  constexpr float kLn2Lo = -2.12194440e-4f;

  const float shifted = x * kLog2e + kRoundingMagic;
  const float n = shifted - kRoundingMagic;
  const float r = (x - n * kLn2Hi) - n * kLn2Lo;
  return FromReduced(r, BitsOf(shifted) - BitsOf(kRoundingMagic));
}

// The same for a double x in [-120, 0], reduced in double, so that an
// argument carrying more bits than a float loses none of them: x - n ln2
// is exact to double precision there, and only the reduced r is rounded
// to float.
ACT_INLINE ExpParts ExpSplitOfDouble(double x) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2 = 0.69314718055994531;
  constexpr double kRoundingMagicDouble = 6755399441055744.0;

  const double shifted = x * kLog2e + kRoundingMagicDouble;
  const double n = shifted - kRoundingMagicDouble;
  const float r = static_cast<float>(x - n * kLn2);
  const int64_t low_bits =
      vec::BitsOf(shifted) - vec::BitsOf(kRoundingMagicDouble);
  return FromReduced(r, static_cast<int32_t>(low_bits));
}

// numerator / (1 + e) for e = e^-|w|, times e's power of two where the
// mask `scaled` is all ones: applied after the division, so that a tail
// that reaches the subnormals rounds once. The rounding of 1 + e is taken
// back to first order, except from a zero, whose sign the subtraction
// would lose. Where the mask is all zeros the quotient may be as large as
// the largest float, so both of ScaleDown's factors are 1 there.
ACT_INLINE float OverOnePlus(float numerator, ExpParts e, int32_t scaled) {
  // Below 2^-126, e stands for anything as small: 1 + e is 1 either way.
  const float small = e.p * PowerOfTwo(e.n < -126 ? -126 : e.n);
  const float d = 1.0f + small;
  const float d_error = small - (d - 1.0f);
  const float q = numerator / d;
  const float power = Blend(scaled, PowerOfTwo(e.n + 64), 1.0f);
  const float unbias = Blend(scaled, 0x1p-64f, 1.0f);
  return (WithSignOf(q - q * d_error, q) * power) * unbias;
}

// x sigmoid(w) for e = e^-|w|, w of x's sign: x / (1 + e) for x >= 0,
// x e / (1 + e) below (and at -0), with the x of the tail clamped to `tail_x` (where
// the result rounds to -0 below it) and x e as x + x s, which spares the
// rounding of 1 + s.
ACT_INLINE float TimesSigmoid(float x, float tail_x, ExpParts e) {
  const int32_t negative = SignMask(x);
  const float numerator = Blend(negative, tail_x + tail_x * e.s, x);
  return UnlessNanOrInfinity(x, OverOnePlus(numerator, e, negative));
}

// e^x - 1 for x <= 0, as (2^n - 1) + 2^n s from e^x = 2^n (1 + s): for
// n = 0 it is s, which keeps its relative precision near 0; below, 2^n - 1
// is exact and at most -1/4, so that the sum cancels little. |x| is
// clamped at 30, where e^x - 1 is -1 in float. A zero keeps its sign; a
// positive x gives a finite value of no meaning, which callers discard.
ACT_INLINE float Expm1NonPositive(float x) {
  const ExpParts e = ExpSplit(-AbsAtMost(x, 30.0f));
  const float power = PowerOfTwo(e.n);
  const float m = (power - 1.0f) + power * e.s;
  return x != x ? x : (x == 0 ? x : m);
}

// 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below, with e = e^-|x|,
// so that e never overflows and the negative tail keeps its scale: a
// subnormal e is the result itself, 1 + e being 1. The rounding of 1 + e
// is taken back to first order. |x| is clamped at 120, beyond which the
// result is 0 or 1.
ACT_INLINE float Sigmoid(float x) {
  const ExpParts parts = ExpSplit(-AbsAtMost(x, 120.0f));
  const float e = ScaleDown(parts.p, parts.n);
  const float d = 1.0f + e;
  const float d_error = e - (d - 1.0f);
  const float q = Blend(SignMask(x), e, 1.0f) / d;
  return x != x ? x : q - q * d_error;
}

// x sigmoid(x), |x| clamped at 120 for the exponential and the tail.
ACT_INLINE float Silu(float x) {
  const float a = AbsAtMost(x, 120.0f);
  return TimesSigmoid(x, -a, ExpSplit(-a));
}

// x sigmoid(w) with w = sqrt(8/pi) (x + 0.044715 x^3) in double: in float
// the rounding of w would be multiplied by |w| in the tail of e^w. |x| is
// clamped at 11 for the exponential and the tail: below -11 the result
// rounds to -0, above 11 it is x.
ACT_INLINE float GeluTanh(float x) {
  constexpr double kSqrt8OverPi = 1.5957691216057308;
  constexpr double kCubic = 0.044715;
  const float a = AbsAtMost(x, 11.0f);
  const double ad = a;
  const double w = kSqrt8OverPi * (ad + kCubic * (ad * ad * ad));
  return TimesSigmoid(x, -a, ExpSplitOfDouble(-w));
}

// sign(x) tanh(a), a = |x|, from e = e^-2a = 2^n (1 + s) and one
// division: up to a = 0.625, (1 - e) / (1 + e), whose numerator
// (1 - 2^n) - 2^n s is -s for n = 0 and keeps the relative precision of
// small a, and below cancels little (1 - 2^n is exact and at least 1/2);
// above, 1 - 2e / (1 + e), where tanh is at least 0.55, so that the
// subtraction rounds once on the result's scale rather than losing e in
// 1 - e. The rounding of 1 + e is taken back to first order. a is clamped
// at 10, where tanh is 1 in float.
ACT_INLINE float Tanh(float x) {
  const float a = AbsAtMost(x, 10.0f);
  const ExpParts e = ExpSplit(-2.0f * a);
  const float power = PowerOfTwo(e.n);
  const float small = power * e.p;
  const int32_t far = SignMask(0.625f - a);
  const float near_numerator = (1.0f - power) - power * e.s;
  const float numerator = Blend(far, small + small, near_numerator);
  const float d = 1.0f + small;
  const float d_error = small - (d - 1.0f);
  const float q0 = numerator / d;
  const float q = q0 - q0 * d_error;
  return x != x ? x : WithSignOf(Blend(far, 1.0f - q, q), x);
}

// 2^n as a double, for an integer n in [-1022, 1023].
ACT_INLINE double PowerOfTwoDouble(int32_t n) {
  return vec::FromBits(static_cast<uint64_t>(n + 1023) << 52);
}

// x Phi(x), GELU's erf form. With a = |x| and T(a) = Phi(-a), the tail
// a T(a) = e^(-a^2/2) Y W(Z) with Y = a / (a + 1) and W(Z) = T(a) e^(a^2/2)
// (a + 1), which varies only between 0.42 and 0.53, a polynomial in
// Z = (a - 3.5) / (a + 3.5); then x Phi(x) is -a T(a) for x < 0 and
// x - a T(a) above, where a T(a) is at most half of x. The reduction of
// e^(-a^2/2), the divisions and the polynomial run in float, a^2 as
// a_hi^2 + a_lo (2 a_hi + a_lo) with a_hi of 12 bits, so that a_hi^2 is
// exact (a rounding of a^2 would be multiplied by a^2 in e^(-a^2/2)). The
// rest runs in double, since each of its roundings in float could cost
// the result up to an ulp: Y is refined by one Newton step with
// 1 / (a + 1) = 1 - Y, W's last term is added, and the product and the
// difference round once, to float, a subnormal result included. a is
// clamped at 15, where the tail rounds to 0.
ACT_INLINE float Gelu(float x) {
  const float a = AbsAtMost(x, 15.0f);
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f;
  constexpr float kLn2Lo = -2.12194440e-4f;
  const float a_hi = FromBits(BitsOf(a) & static_cast<int32_t>(0xfffff000u));
  const float a_lo = a - a_hi;
  const float half_square_hi = 0.5f * (a_hi * a_hi);
  const float half_square_lo = a_lo * (a_hi + 0.5f * a_lo);
  const float shifted =
      -(half_square_hi + half_square_lo) * kLog2e + kRoundingMagic;
  const float nf = shifted - kRoundingMagic;
  const float r = ((-half_square_hi - nf * kLn2Hi) - half_square_lo) -
                  nf * kLn2Lo;
  const ExpParts e =
      FromReduced(r, BitsOf(shifted) - BitsOf(kRoundingMagic));

  // Estrin's scheme: the terms in pairs, so that the chain of dependent
  // operations is four products and sums long rather than ten.
  const float z = (a - 3.5f) / (a + 3.5f);
  const float z2 = z * z;
  const float z4 = z2 * z2;
  const float q01 = -9.7712554e-02f + 7.8698900e-04f * z;
  const float q23 = 3.8047068e-02f - 3.0258723e-02f * z;
  const float q45 = 1.0384301e-02f + 2.8050281e-04f * z;
  const float q67 = -1.4317103e-03f + 9.7750191e-05f * z;
  const float q89 = 1.9882749e-04f + 2.6222457e-05f * z;
  const float q03 = q01 + q23 * z2;
  const float q47 = q45 + q67 * z2;
  const float q = q03 + (q47 + q89 * z4) * z4;
  const double w = 0.4785531894400898 + static_cast<double>(z) * q;

  const float y = a / (a + 1.0f);
  const double ad = a;
  const double yd = y + (ad - y * (ad + 1.0)) * (1.0 - y);

  const double tail =
      ((yd * w) * (1.0 + static_cast<double>(e.s))) * PowerOfTwoDouble(e.n);
  const double result =
      SignMask(x) != 0 ? -tail : static_cast<double>(x) - tail;
  return x != x ? x : static_cast<float>(result);
}

// log(1 + e^x) as max(x, 0) + log1p(e) with e = e^-|x| = 2^n (1 + s), so
// that e never overflows and the negative tail keeps its scale:
// log1p(e) = 2^n (1 + s) L(e) with L(e) = log1p(e) / e, between ln2 and 1,
// a polynomial in e - 1/2. The reduction is ExpSplit's, with
// s = r_hi + r_lo + r^2 c(r) kept in its parts (r_hi = -|x| - n ln2_hi is
// exact) and c carried one term further, and (1 + s) L is multiplied out
// term by term, so that the sum rounds once, on L's scale, and the power
// of two last, so that a subnormal result rounds once. |x| is clamped at
// 120, where log1p(e) rounds to 0; for x > 0 a power of two below 2^-126
// is taken as 2^-126, the term being far below x's ulp either way.
ACT_INLINE float Softplus(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f;
  constexpr float kLn2Lo = -2.12194440e-4f;
  const float a = AbsAtMost(x, 120.0f);
  const float shifted = -a * kLog2e + kRoundingMagic;
  const float nf = shifted - kRoundingMagic;
  const int32_t n = BitsOf(shifted) - BitsOf(kRoundingMagic);
  const float r_hi = -a - nf * kLn2Hi;
  const float r_lo = -(nf * kLn2Lo);
  const float r = r_hi + r_lo;
  float c = 1.0f / 40320;
  c = c * r + 1.0f / 5040;
  c = c * r + 1.0f / 720;
  c = c * r + 1.0f / 120;
  c = c * r + 1.0f / 24;
  c = c * r + 1.0f / 6;
  c = c * r + 0.5f;
  const float u = r * r * c;
  const float p = 1.0f + (r + u);

  // Estrin's scheme, as in Gelu.
  const float t = p * PowerOfTwo(n < -126 ? -126 : n) - 0.5f;
  const float t2 = t * t;
  const float t4 = t2 * t2;
  const float q01 = -2.8852710e-01f + 1.3260978e-01f * t;
  const float q23 = -6.7688681e-02f + 3.6610607e-02f * t;
  const float q45 = -2.0547524e-02f + 1.1854683e-02f * t;
  const float q67 = -6.9630635e-03f + 3.9799190e-03f * t;
  const float q89 = -2.3759773e-03f + 2.0376623e-03f * t;
  const float q03 = q01 + q23 * t2;
  const float q47 = q45 + q67 * t2;
  const float q8a = q89 - 1.2805838e-03f * t2;
  const float q = q03 + (q47 + q8a * t4) * t4;
  constexpr float kHi = 0.81093019f;
  constexpr float kLo = 2.3059627e-08f;
  const float tq = t * q;
  const float l = kHi + tq;
  const float rest = ((kLo + tq) + l * (r_lo + u)) + l * r_hi;
  const float below = Scale(kHi + rest, n);

  // x + 2^n (kHi + rest) with x + 2^n kHi exact as a sum of two floats,
  // so that this too rounds once.
  const float power = PowerOfTwo(n < -126 ? -126 : n);
  const float head_term = kHi * power;
  const float head = x + head_term;
  const float x_part = head - head_term;
  const float head_error = (x - x_part) + (head_term - (head - x_part));
  const float above = head + (head_error + rest * power);
  return UnlessNanOrInfinity(x, Blend(SignMask(x), below, above));
}

// e^-a for a in [0, 1200] as a double, from the float reduction and
// polynomial of ExpSplit (which hold that far: n ln2's first part stays
// exact and the 2^n is built in double), with 1 + s formed in double so
// that its rounding in float is spared: relative error below 2^-25. For
// the gradients, whose dy can carry e^-a back from far below float's
// range. Unlike ExpSplit's p, the power is applied here; callers that
// might pass 2^-1022 split it themselves from ExpSplit.
ACT_INLINE double ExpOfNegativeAsDouble(float a) {
  const ExpParts e = ExpSplit(-a);
  return (1.0 + static_cast<double>(e.s)) * PowerOfTwoDouble(e.n);
}

// e^d for a double d <= 0 as a double within about 2^-24 of it, relative:
// reduced in double, so that every bit of d counts, the polynomial in
// float, and 1 + s and the power of two in double. Half the work of
// vec::Exp, for float results that are e^d times a double factor, rounded
// once (softmax's rows, where d = x - max is exact in double). d is
// clamped at -120: e^-120 is 2^-173, which rounds to 0 as a float even
// divided by a sum of at least 1. A NaN gives a NaN.
ACT_INLINE double ExpNonPositiveForFloat(double d) {
  const double clamped = d < -120.0 ? -120.0 : d;
  const ExpParts e = ExpSplitOfDouble(clamped);
  const double value =
      (1.0 + static_cast<double>(e.s)) * PowerOfTwoDouble(e.n);
  return d != d ? d : value;
}

}  // namespace vf
}  // namespace
}  // namespace act

#endif  // ACTIVATIONS_FLOAT_MATH_H_
