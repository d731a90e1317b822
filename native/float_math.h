// Branch-free single-precision exp, expm1, sigmoid and tanh for the float
// kernels of the functions that the speed targets name.
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

inline int32_t BitsOf(float x) {
  int32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

inline float FromBits(int32_t bits) {
  float x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// Clamps that let NaN through, as in vector_math.h.
inline float AtLeast(float x, float lo) { return x < lo ? lo : x; }
inline float AtMost(float x, float hi) { return x > hi ? hi : x; }
inline float Abs(float x) { return FromBits(BitsOf(x) & 0x7fffffff); }

// |magnitude| with the sign bit of `sign`.
inline float WithSignOf(float magnitude, float sign) {
  return FromBits((BitsOf(magnitude) & 0x7fffffff) |
                  (BitsOf(sign) & static_cast<int32_t>(0x80000000u)));
}

// e^r - 1 for |r| <= ln2/2 + a little, as r + r^2 q(r) with q the Taylor
// series to r^7, whose remainder is below 6e-9 there. Callers add the 1
// last, or keep it apart, so that this part rounds on its own scale.
inline float ExpReducedMinusOne(float r) {
  float q = 1.0f / 5040;
  q = q * r + 1.0f / 720;
  q = q * r + 1.0f / 120;
  q = q * r + 1.0f / 24;
  q = q * r + 1.0f / 6;
  q = q * r + 0.5f;
  return r + r * r * q;
}

// p 2^n for an integer n in [-150, 128], as two exact powers of two, so
// that a subnormal result is rounded once, by the second product.
inline float Scale(float p, int32_t n) {
  const int32_t half = n >> 1;
  const uint32_t first = static_cast<uint32_t>(half + 127) << 23;
  const uint32_t second = static_cast<uint32_t>(n - half + 127) << 23;
  return (p * FromBits(static_cast<int32_t>(first))) *
         FromBits(static_cast<int32_t>(second));
}

// 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an
// integer held in the low bits of the sum.
constexpr float kRoundingMagic = 12582912.0f;

// e^x as p 2^n with p = 1 + s in [0.7, 1.42], kept apart so that a caller
// can scale a product of e^x rather than e^x itself, and round a subnormal
// result only once; s is p - 1 before p's rounding.
struct ExpParts {
  float p;
  float s;
  int32_t n;
};

inline ExpParts FromReduced(float r, int32_t n) {
  const float s = ExpReducedMinusOne(r);
  return {1.0f + s, s, n};
}

// The lowest argument the exponentials take: e^-120 is 2^-173, so that
// even e^x times the 120 of SiLU's x rounds to 0 below it.
constexpr float kExpFloor = -120.0f;

// x = n ln2 + r with ln2 in two parts, the first of 9 bits so that
// n * kLn2Hi is exact for every n here. x is clamped to [-120, 89], beyond
// which e^x is 0 or Infinity in float anyway.
inline ExpParts ExpSplit(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f;
  constexpr float kLn2Lo = -2.12194440e-4f;

  x = AtMost(AtLeast(x, kExpFloor), 89.0f);
  const float shifted = x * kLog2e + kRoundingMagic;
  const float n = shifted - kRoundingMagic;
  const float r = (x - n * kLn2Hi) - n * kLn2Lo;
  return FromReduced(r, BitsOf(shifted) - BitsOf(kRoundingMagic));
}

inline float Exp(float x) {
  const ExpParts e = ExpSplit(x);
  return Scale(e.p, e.n);
}

// e^x for a double x, reduced in double, so that an argument carrying more
// bits than a float loses none of them: x - n ln2 is exact to double
// precision there, and only the reduced r is rounded to float.
inline ExpParts ExpSplitOfDouble(double x) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2 = 0.69314718055994531;
  constexpr double kRoundingMagicDouble = 6755399441055744.0;

  x = x < kExpFloor ? kExpFloor : (x > 89.0 ? 89.0 : x);
  const double shifted = x * kLog2e + kRoundingMagicDouble;
  const double n = shifted - kRoundingMagicDouble;
  const float r = static_cast<float>(x - n * kLn2);
  const int64_t low_bits =
      vec::BitsOf(shifted) - vec::BitsOf(kRoundingMagicDouble);
  return FromReduced(r, static_cast<int32_t>(low_bits));
}

// numerator / (1 + e) for e = e^-|w|, times e's power of two when
// `scaled`: applied after the division, so that a tail that reaches the
// subnormals rounds once. The rounding of 1 + e is taken back to first
// order, except from a zero, whose sign the subtraction would lose.
inline float OverOnePlus(float numerator, ExpParts e, bool scaled) {
  const float small = Scale(e.p, e.n);
  const float d = 1.0f + small;
  const float d_error = small - (d - 1.0f);
  const float q = numerator / d;
  const float corrected = q == 0 ? q : q - q * d_error;
  return Scale(corrected, scaled ? e.n : 0);
}

// x sigmoid(w) for a w of x's sign and e = e^-|w|: x / (1 + e) for
// x >= 0, x e / (1 + e) below, where x e is x + x s, which spares the
// rounding of 1 + s.
inline float TimesSigmoid(float x, ExpParts e) {
  const bool negative = x < 0;
  return OverOnePlus(negative ? x + x * e.s : x, e, negative);
}

// e^x - 1 for x <= 0: x + x^2 q(x) above -0.7 (a degree-5 fit, relative
// error 2.4e-10), e^x - 1 below, where e^x < 1/2 so that the subtraction
// loses nothing to cancellation. A zero keeps its sign.
inline float Expm1NonPositive(float x) {
  float q = 0.00014680185995530337f;
  q = q * x + 0.0013421893818303943f;
  q = q * x + 0.008311904966831207f;
  q = q * x + 0.04166162386536598f;
  q = q * x + 0.16666612029075623f;
  q = q * x + 0.4999999701976776f;
  const float series = x + x * x * q;
  const float far = Exp(x) - 1.0f;
  return x == 0 ? x : (x > -0.7f ? series : far);
}

// 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below, with e = e^-|x|,
// so that e never overflows and the negative tail keeps its scale.
inline float Sigmoid(float x) {
  const ExpParts e = ExpSplit(-Abs(x));
  const bool negative = x < 0;
  return OverOnePlus(negative ? e.p : 1.0f, e, negative);
}

constexpr float kInfinityF = __builtin_inff();

// x sigmoid(x), x clamped at -120, below which it rounds to -0. +Infinity
// is its own limit, which the correction of 1 + e would turn into NaN.
inline float Silu(float x) {
  const float xc = AtLeast(x, kExpFloor);
  const float y = TimesSigmoid(xc, ExpSplit(-Abs(xc)));
  return x == kInfinityF ? x : y;
}

// x sigmoid(w) with w = sqrt(8/pi) (x + 0.044715 x^3) in double: in float
// the rounding of w would be multiplied by |w| in the tail of e^w. x is
// clamped at -20, below which the result rounds to -0; +Infinity as in
// Silu.
inline float GeluTanh(float x) {
  constexpr double kSqrt8OverPi = 1.5957691216057308;
  constexpr double kCubic = 0.044715;
  const float xc = AtLeast(x, -20.0f);
  const double xd = xc;
  const double w = kSqrt8OverPi * (xd + kCubic * (xd * xd * xd));
  const float y = TimesSigmoid(xc, ExpSplitOfDouble(w < 0 ? w : -w));
  return x == kInfinityF ? x : y;
}

// sign(x) tanh(|x|): below |x| = 0.625, a + a^3 p(a^2) (a degree-4 fit in
// a^2, relative error 4.4e-9); above, 1 - 2 / (e^2a + 1), which is at
// least 0.55 there so that the subtraction cancels little. |x| is clamped
// at 10, where tanh is 1 in float.
inline float Tanh(float x) {
  const float a = AtMost(Abs(x), 10.0f);
  const float a2 = a * a;
  float p = -0.005704987328499556f;
  p = p * a2 + 0.0206390880048275f;
  p = p * a2 - 0.05373971536755562f;
  p = p * a2 + 0.13331441581249237f;
  p = p * a2 - 0.3333328068256378f;
  const float series = a + a * a2 * p;
  const float far = 1.0f - 2.0f / (Exp(2.0f * a) + 1.0f);
  return WithSignOf(a < 0.625f ? series : far, x);
}

}  // namespace vf
}  // namespace
}  // namespace act

#endif  // ACTIVATIONS_FLOAT_MATH_H_
