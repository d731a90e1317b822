// Branch-free double-precision exp, expm1, log1p and erfc for the float
// kernels.
//
// A float kernel widens each element to double, evaluates its function with
// these, and rounds once. Their relative error is below 1e-11, about a
// five-thousandth of a float ulp, so a float result is within one ulp of the
// exact value (almost always the correctly rounded one). They are written
// without calls, loops or branches that depend on the data, so that the
// compiler vectorizes the loops that use them at every instruction level;
// arguments are clamped where float inputs could leave double's range, which
// is harmless because every such result rounds to 0 or to Infinity in float.

#ifndef ACTIVATIONS_VECTOR_MATH_H_
#define ACTIVATIONS_VECTOR_MATH_H_

#include <cstdint>
#include <cstring>

// The math here is a few operations per call, used at a hundred places:
// left to itself the compiler stops inlining it, and a call in a loop keeps
// the loop from vectorizing, so it is always inlined.
#if defined(__GNUC__) || defined(__clang__)
#define ACT_INLINE inline __attribute__((always_inline))
#else
#define ACT_INLINE inline
#endif

namespace act {
// Unnamed: each kernels file compiles its own copy with its own
// instruction-set flags, and the linker must not merge them.
namespace {
namespace vec {

ACT_INLINE int64_t BitsOf(double x) {
  int64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

ACT_INLINE double FromBits(uint64_t bits) {
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// Clamps that let NaN through: a comparison with NaN is false, so the value
// itself is kept.
ACT_INLINE double AtLeast(double x, double lo) { return x < lo ? lo : x; }
ACT_INLINE double AtMost(double x, double hi) { return x > hi ? hi : x; }

ACT_INLINE double Abs(double x) { return x < 0 ? -x : x; }

// e^x for x in [-700, 700] (clamped outside), relative error below 3e-13.
//
// x = n ln2 + r with |r| <= ln2/2; e^r by its Taylor series to r^10; 2^n by
// building the exponent bits. ln2 is split so that n * kLn2Hi is exact.
ACT_INLINE double Exp(double x) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 0.693147180369123816490;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  // 1.5 * 2^52: adding it rounds to an integer held in the low bits.
  constexpr double kRoundingMagic = 6755399441055744.0;

  x = AtMost(AtLeast(x, -700.0), 700.0);
  const double shifted = x * kLog2e + kRoundingMagic;
  const double n = shifted - kRoundingMagic;
  const double r = (x - n * kLn2Hi) - n * kLn2Lo;

  double p = 1.0 / 3628800;
  p = p * r + 1.0 / 362880;
  p = p * r + 1.0 / 40320;
  p = p * r + 1.0 / 5040;
  p = p * r + 1.0 / 720;
  p = p * r + 1.0 / 120;
  p = p * r + 1.0 / 24;
  p = p * r + 1.0 / 6;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;

  const uint64_t exponent =
      static_cast<uint64_t>(BitsOf(shifted) - BitsOf(kRoundingMagic)) + 1023;
  return p * FromBits(exponent << 52);
}

// e^x - 1, keeping its relative precision near 0: the Taylor series below
// |x| = 0.35 (error under 1e-15 there), e^x - 1 above, where the subtraction
// loses at most two bits. A zero keeps its sign, as x + x^2 p would not.
ACT_INLINE double Expm1(double x) {
  double p = 1.0 / 6227020800;
  p = p * x + 1.0 / 479001600;
  p = p * x + 1.0 / 39916800;
  p = p * x + 1.0 / 3628800;
  p = p * x + 1.0 / 362880;
  p = p * x + 1.0 / 40320;
  p = p * x + 1.0 / 5040;
  p = p * x + 1.0 / 720;
  p = p * x + 1.0 / 120;
  p = p * x + 1.0 / 24;
  p = p * x + 1.0 / 6;
  p = p * x + 0.5;
  const double series = x + x * x * p;
  return x == 0 ? x : (Abs(x) < 0.35 ? series : Exp(x) - 1.0);
}

// log(1 + y) for y in [0, 1], as 2 atanh(s) with s = y / (2 + y) <= 1/3:
// the odd series in s needs no range reduction and keeps the relative
// precision of tiny y. Twelve terms leave an error below 2e-13.
ACT_INLINE double Log1pUnit(double y) {
  const double s = y / (2.0 + y);
  const double s2 = s * s;
  double p = 1.0 / 25;
  p = p * s2 + 1.0 / 23;
  p = p * s2 + 1.0 / 21;
  p = p * s2 + 1.0 / 19;
  p = p * s2 + 1.0 / 17;
  p = p * s2 + 1.0 / 15;
  p = p * s2 + 1.0 / 13;
  p = p * s2 + 1.0 / 11;
  p = p * s2 + 1.0 / 9;
  p = p * s2 + 1.0 / 7;
  p = p * s2 + 1.0 / 5;
  p = p * s2 + 1.0 / 3;
  return 2.0 * (s + s * s2 * p);
}

// erfc(a) for a >= 0, as e^(-a^2) P(t) / (1 + 2a) with t = (a - K)/(a + K):
// (1 + 2a) e^(a^2) erfc(a) is smooth on [0, inf) and t maps that onto
// [-1, 1), where a degree-14 polynomial fits it to 3e-12 (a Chebyshev fit
// to 40-digit values, computed for this library with mpmath). a is clamped
// at 26, where e^(-a^2) nears the clamp of Exp: erfc(26) is 1e-296, so
// that even x erfc(a) and dy x e^(-a^2) for the largest float x and dy
// round to 0 in float beyond it, while below it a gradient scaled by a
// large dy keeps its digits.
ACT_INLINE double ErfcNonNegative(double a) {
  constexpr double kShift = 3.75;
  a = AtMost(a, 26.0);
  const double t = (a - kShift) / (a + kShift);

  double p = 2.9982598719159933e-06;
  p = p * t + 4.3206432457791344e-05;
  p = p * t + 5.5462410368723396e-05;
  p = p * t - 0.0003028251538577581;
  p = p * t + 0.0002861241562735824;
  p = p * t + 0.0017578773161284781;
  p = p * t - 0.009743996209843958;
  p = p * t + 0.02836226324167587;
  p = p * t - 0.058693773031200935;
  p = p * t + 0.0923042920098834;
  p = p * t - 0.10880390546388731;
  p = p * t + 0.08227674060182961;
  p = p * t + 0.0035854148658474513;
  p = p * t - 0.1402405986172874;
  p = p * t + 1.237512630840491;
  return Exp(-a * a) * p / (1.0 + 2.0 * a);
}

ACT_INLINE double Sigmoid(double x) { return 1.0 / (1.0 + Exp(-x)); }

// tanh as expm1(2|x|) / (expm1(2|x|) + 2), with the sign put back; beyond
// |x| = 20 the result is 1 in double.
ACT_INLINE double Tanh(double x) {
  const double e = Expm1(2.0 * AtMost(Abs(x), 20.0));
  const double magnitude = e / (e + 2.0);
  return x < 0 ? -magnitude : (x == 0 ? x : magnitude);
}

}  // namespace vec
}  // namespace
}  // namespace act

#endif  // ACTIVATIONS_VECTOR_MATH_H_
