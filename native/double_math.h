// Double-double arithmetic and the exponential family, for the double
// kernels.
//
// A double result is within one ulp of the exact value when the value it
// rounds from is within one ulp: the double kernels therefore carry each
// function as a double-double (hi + lo) and round once at the end, and the
// pieces here keep their relative error below about 2^-58, a thirty-second
// of an ulp. glibc's exp is within 0.51 ulp but returns no more digits than
// that, and its erfc and tanh are off by up to 3 and 2 ulps, so exp, expm1,
// log1p and erfc are written here. Values that may fall below the smallest
// double (the tails of e^x, before a large dy multiplies them) carry their
// power of two apart, as `Scaled`.
//
// Every step is an IEEE operation or std::fma, both exact to the rounding
// rule, so each instruction level gives the same bits: with
// -ffp-contract=off no other fusion happens, and std::fma is one
// instruction where FMA exists and glibc's exact fma elsewhere. There are
// no data-dependent branches, only selects, and no table lookups.

#ifndef ACTIVATIONS_DOUBLE_MATH_H_
#define ACTIVATIONS_DOUBLE_MATH_H_

#include <cmath>
#include <cstdint>
#include <cstring>

#include "vector_math.h"

namespace act {
// Unnamed: each kernels file compiles its own copy with its own
// instruction-set flags, and the linker must not merge them.
namespace {
namespace dd {

// ---------------------------------------------------------------------------
// Double-double arithmetic (Dekker, Knuth; the error-free transformations
// as in Joldes, Muller and Popescu 2017).

struct DD {
  double hi;
  double lo;
};

// (hi + lo) * 2^k, k an integer held in a double.
struct Scaled {
  DD v;
  double k;
};

ACT_INLINE DD TwoSum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}

// a + b for |a| >= |b| (or a = 0).
ACT_INLINE DD FastTwoSum(double a, double b) {
  const double s = a + b;
  return {s, b - (s - a)};
}

ACT_INLINE DD TwoProduct(double a, double b) {
  const double p = a * b;
  return {p, std::fma(a, b, -p)};
}

ACT_INLINE DD Add(DD a, DD b) {
  DD s = TwoSum(a.hi, b.hi);
  const DD t = TwoSum(a.lo, b.lo);
  s = FastTwoSum(s.hi, s.lo + t.hi);
  return FastTwoSum(s.hi, s.lo + t.lo);
}

ACT_INLINE DD Add(DD a, double b) {
  const DD s = TwoSum(a.hi, b);
  return FastTwoSum(s.hi, s.lo + a.lo);
}

ACT_INLINE DD Mul(DD a, DD b) {
  const DD p = TwoProduct(a.hi, b.hi);
  return FastTwoSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

ACT_INLINE DD Mul(DD a, double b) {
  const DD p = TwoProduct(a.hi, b);
  return FastTwoSum(p.hi, p.lo + a.lo * b);
}

ACT_INLINE DD Div(DD a, DD b) {
  const double q = a.hi / b.hi;
  // The remainder a - q b, exact in its leading part, gives the next digit.
  const DD p = TwoProduct(q, b.hi);
  const double r = ((a.hi - p.hi) - p.lo) + a.lo - q * b.lo;
  return FastTwoSum(q, r / b.hi);
}

ACT_INLINE DD Negate(DD a) { return {-a.hi, -a.lo}; }

ACT_INLINE bool IsFinite(double x) { return (x < 0 ? -x : x) <= 0x1.fffffffffffffp1023; }

// hi + lo; an infinite or NaN hi alone, as the error terms of an operation
// that overflowed are NaN.
ACT_INLINE double Value(DD a) {
  return IsFinite(a.hi) && a.lo != 0 ? a.hi + a.lo : a.hi;
}

// ---------------------------------------------------------------------------
// Powers of two and selects.

ACT_INLINE uint64_t BitsOf(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

// The same as the float kernels' (vector_math.h); BitsOf above is unsigned
// here, for the masks and shifts below.
using vec::Abs;
using vec::AtLeast;
using vec::AtMost;
using vec::FromBits;
ACT_INLINE bool IsNan(double x) { return x != x; }

// The double-double result, or the plain one where the former is NaN and
// the latter not: near the largest double, TwoSum's s - a can overflow and
// leave a NaN error term although the sum itself is finite or infinite.
ACT_INLINE double Fallback(double precise, double plain) {
  return IsNan(precise) && !IsNan(plain) ? plain : precise;
}

ACT_INLINE DD Select(bool condition, DD a, DD b) {
  return {condition ? a.hi : b.hi, condition ? a.lo : b.lo};
}

ACT_INLINE Scaled Select(bool condition, Scaled a, Scaled b) {
  return {Select(condition, a.v, b.v), condition ? a.k : b.k};
}

// 1.5 * 2^52: adding it rounds a double below 2^51 to an integer, held in
// the low bits.
constexpr double kRoundingMagic = 6755399441055744.0;

ACT_INLINE double RoundToInteger(double x) {
  return (x + kRoundingMagic) - kRoundingMagic;
}

// 2^k for an integer k in [-1022, 1023], built from its exponent bits.
ACT_INLINE double Pow2(double k) {
  const uint64_t n = BitsOf(k + kRoundingMagic) - BitsOf(kRoundingMagic);
  return FromBits((n + 1023) << 52);
}

// v * 2^k for an integer k, in three steps of at most 1000 so that each
// factor is a normal double. Every step is exact until the result is
// subnormal, and a subnormal result is within one of its ulps. k is
// clamped to [-3000, 3000], which changes nothing for a finite v: its
// product with 2^-3000 is 0 and with 2^3000 Infinity already.
ACT_INLINE double Ldexp(double v, double k) {
  k = AtMost(AtLeast(k, -3000.0), 3000.0);
  const double first = RoundToInteger(k * (1.0 / 3));
  const double second = RoundToInteger((k - first) * 0.5);
  const double third = k - first - second;
  return v * Pow2(first) * Pow2(second) * Pow2(third);
}

// The exponent e of a finite non-zero x with 2^e <= |x| < 2^(e+1), and
// whether x is normal (for a subnormal x, the value is meaningless).
ACT_INLINE double ExponentOf(double x, bool* normal) {
  const uint64_t biased = (BitsOf(x) >> 52) & 0x7ff;
  *normal = biased != 0 && biased != 0x7ff;
  // 2^52 + biased as a double, less 2^52: an exact conversion.
  constexpr double kTwo52 = 4503599627370496.0;
  return (FromBits(BitsOf(kTwo52) | biased) - kTwo52) - 1023;
}

// x = m 2^e with 1 <= |m| < 2, subnormals included; 0, infinities and NaN
// come back as m = x, e = 0.
struct Split {
  double m;
  double e;
};

ACT_INLINE Split Frexp(double x) {
  const bool tiny = Abs(x) < 0x1p-1000;
  const double lifted = tiny ? x * 0x1p64 : x;
  bool normal;
  const double e = ExponentOf(lifted, &normal);
  // The sign and mantissa bits of x under the exponent bits of 1.
  const double m = FromBits((BitsOf(lifted) & 0x800fffffffffffff) |
                            0x3ff0000000000000);
  return {normal ? m : x, normal ? e - (tiny ? 64 : 0) : 0.0};
}

// s with its exponent moved into k so that 1 <= |hi| < 2; a zero or
// non-finite hi is left as it is.
ACT_INLINE Scaled Normalize(Scaled s) {
  const Split split = Frexp(s.v.hi);
  return {{split.m, Ldexp(s.v.lo, -split.e)}, s.k + split.e};
}

// The double nearest (hi + lo) 2^k, from the mantissa in [1, 2) so that
// no step overflows or underflows before the last (which is within an ulp
// where the result is subnormal).
ACT_INLINE double Round(Scaled s) {
  const Scaled n = Normalize(s);
  return Ldexp(Value(n.v), n.k);
}

// dy (hi + lo) 2^k rounded once (within an ulp where subnormal), for any
// dy: the product of the two mantissas, in [1, 4), is exact in
// double-double, and the two exponents are applied after it. An infinite
// or NaN dy or slope gives their plain product.
ACT_INLINE double RoundTimes(double dy, Scaled s) {
  const Scaled n = Normalize(s);
  const Split g = Frexp(dy);
  const double product = Ldexp(Value(Mul(n.v, g.m)), n.k + g.e);
  const double plain = dy * Round(s);
  return IsFinite(dy) && IsFinite(s.v.hi) ? product : plain;
}

ACT_INLINE Scaled Unscaled(DD v) { return {v, 0.0}; }

// s f, with the exponent of f moved into the scale, so that a factor near
// the largest (or a subnormal) double does not overflow (or lose digits)
// on its own.
ACT_INLINE Scaled Times(Scaled s, DD f) {
  const Split split = Frexp(f.hi);
  const DD m = {split.m, Ldexp(f.lo, -split.e)};
  return {Mul(s.v, m), s.k + split.e};
}
ACT_INLINE Scaled Times(Scaled s, double f) {
  const Split split = Frexp(f);
  return {Mul(s.v, split.m), s.k + split.e};
}

// s as a double-double; it underflows to 0 where s is far below 1.
ACT_INLINE DD ToDD(Scaled s) {
  return {Ldexp(s.v.hi, s.k), Ldexp(s.v.lo, s.k)};
}

// a * b with its error, or the plain product where that is not finite.
ACT_INLINE DD ExactProduct(double a, double b) {
  const DD p = TwoProduct(a, b);
  return IsFinite(p.hi) ? p : DD{p.hi, 0.0};
}

// A running sum with its rounding errors kept. Double terms (the exact
// products and exponentials of float rows) take Neumaier's compensation,
// one TwoSum each with the errors added up apart, which for n terms is
// within n^2 2^-106 of the sum; double-double terms (double rows, where a
// gradient's dot product may cancel to 2^-50 of itself) take the accurate
// double-double add, within n 2^-104. Once the sum is infinite or NaN its
// high part is the plain sum and the error terms are dropped.
class Sum {
 public:
  ACT_INLINE void Add(double term) {
    const DD s = TwoSum(high_, term);
    high_ = s.hi;
    low_ += s.lo;
  }
  ACT_INLINE void Add(DD term) {
    const DD next = dd::Add(DD{high_, low_}, term);
    const bool finite = IsFinite(next.hi) && IsFinite(term.hi);
    high_ = finite ? next.hi : high_ + term.hi;
    low_ = finite ? next.lo : 0.0;
  }
  ACT_INLINE DD Total() const {
    return IsFinite(high_) ? FastTwoSum(high_, low_) : DD{high_, 0.0};
  }

 private:
  double high_ = 0.0;
  double low_ = 0.0;
};

// ---------------------------------------------------------------------------
// Constants, as double-doubles from 32-digit values.

constexpr DD kOne = {1.0, 0.0};
constexpr DD kOneSixth = {0.16666666666666666, 9.25185853854297e-18};
constexpr DD kLn2 = {0.6931471805599453, 2.3190468138462996e-17};

// ---------------------------------------------------------------------------
// e^x and its relatives.

// e^(x.hi + x.lo), about 2^-62 relative, for x.hi in [-2300, 2800], as a
// Scaled value that may lie beyond the double range on either side. Below
// -2300 the value for -2300 (2^-3318, so that even times a factor of
// 2^2048 and the largest dy it rounds to 0), above 2800 the value for 2800
// (which rounds to Infinity times any non-zero dy).
//
// x = n ln2 + r with |r| <= ln2/2: n ln2 is taken with fdlibm's ln2 split,
// whose high part has 32 bits so that n * kLn2Hi is exact. Then
// e^r = 1 + r + r^2/2 + r^3/6 + r^4 P(r), the first four terms in
// double-double and P, Taylor's coefficients to r^15/15!, in double: its
// term is below 6e-4, so its rounding is below 2^-63.
ACT_INLINE Scaled Exp(DD x) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;

  const double clamped = AtMost(AtLeast(x.hi, -2300.0), 2800.0);
  const double xlo = clamped == x.hi ? x.lo : 0.0;
  const double n = RoundToInteger(clamped * kLog2e);
  const double rhi = clamped - n * kLn2Hi;
  const DD nlo = TwoProduct(n, kLn2Lo);
  DD r = TwoSum(rhi, -nlo.hi);
  r = FastTwoSum(r.hi, r.lo + (xlo - nlo.lo));

  const DD r2 = FastTwoSum(r.hi * r.hi, std::fma(r.hi, r.hi, -r.hi * r.hi) +
                                            2 * r.hi * r.lo);
  const DD half = {r2.hi * 0.5, r2.lo * 0.5};
  const DD cube = Mul(Mul(r2, r), kOneSixth);
  const double h = r.hi;
  double p = 1.0 / 1307674368000;
  p = p * h + 1.0 / 87178291200;
  p = p * h + 1.0 / 6227020800;
  p = p * h + 1.0 / 479001600;
  p = p * h + 1.0 / 39916800;
  p = p * h + 1.0 / 3628800;
  p = p * h + 1.0 / 362880;
  p = p * h + 1.0 / 40320;
  p = p * h + 1.0 / 5040;
  p = p * h + 1.0 / 720;
  p = p * h + 1.0 / 120;
  p = p * h + 1.0 / 24;
  const double tail = r2.hi * r2.hi * p;

  const DD s = TwoSum(1.0, r.hi);
  const DD t = TwoSum(s.hi, half.hi);
  const DD u = TwoSum(t.hi, cube.hi);
  const double lo =
      ((s.lo + t.lo) + (u.lo + r.lo)) + ((half.lo + cube.lo) + tail);
  const Scaled result = {FastTwoSum(u.hi, lo), n};
  // A NaN argument gives NaN, whatever the bits of its n.
  return Select(IsNan(x.hi), Scaled{{x.hi, 0.0}, 0.0}, result);
}

ACT_INLINE Scaled Exp(double x) { return Exp(DD{x, 0.0}); }

// e^x - 1 with its relative precision kept near 0: Taylor's series below
// |x| = 0.25 (x + x^2/2 + x^3/6 in double-double, from x^4 in double, to
// x^16/16!), e^x - 1 above, which loses at most 2.2 bits. A zero keeps its
// sign; -Infinity gives -1.
ACT_INLINE DD Expm1(DD x) {
  const double h = x.hi;
  const DD h2 = TwoProduct(h, h);
  const DD half = {h2.hi * 0.5, h2.lo * 0.5};
  const DD cube = Mul(Mul(h2, h), kOneSixth);
  double p = 1.0 / 20922789888000;
  p = p * h + 1.0 / 1307674368000;
  p = p * h + 1.0 / 87178291200;
  p = p * h + 1.0 / 6227020800;
  p = p * h + 1.0 / 479001600;
  p = p * h + 1.0 / 39916800;
  p = p * h + 1.0 / 3628800;
  p = p * h + 1.0 / 362880;
  p = p * h + 1.0 / 40320;
  p = p * h + 1.0 / 5040;
  p = p * h + 1.0 / 720;
  p = p * h + 1.0 / 120;
  p = p * h + 1.0 / 24;
  const double tail = h2.hi * h2.hi * p;
  const DD s = TwoSum(h, half.hi);
  const DD t = TwoSum(s.hi, cube.hi);
  // x.lo enters through the slope e^h = 1 + h + ...
  const double lo = (s.lo + t.lo) + ((half.lo + cube.lo) + tail) +
                    x.lo * (1 + h);
  const DD series = FastTwoSum(t.hi, lo);

  const DD e = ToDD(Exp(x));
  const DD large = Add(e, -1.0);
  const DD result = Select(Abs(h) < 0.25, series, large);
  // !(|h| > 0) is true for 0 and NaN alike; one comparison, as the
  // vectorizer does not take a select on two joined ones.
  return Select(!(Abs(h) > 0), DD{h, 0.0}, result);
}

// log(1 + y) for y in [0, 1], as 2 atanh(s) with s = y / (2 + y) <= 1/3:
// 2s in double-double and 2s^3 (1/3 + s^2/5 + ... + s^36/39) in double,
// whose relative size is below 0.04, so that its rounding is below 2^-57.
ACT_INLINE DD Log1p(DD y) {
  const DD s = Div(y, Add(y, 2.0));
  const double s2 = s.hi * s.hi;
  double p = 1.0 / 39;
  p = p * s2 + 1.0 / 37;
  p = p * s2 + 1.0 / 35;
  p = p * s2 + 1.0 / 33;
  p = p * s2 + 1.0 / 31;
  p = p * s2 + 1.0 / 29;
  p = p * s2 + 1.0 / 27;
  p = p * s2 + 1.0 / 25;
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
  return FastTwoSum(2 * s.hi, 2 * s.lo + 2 * s.hi * s2 * p);
}

// log(x) for x >= 1 as e ln2 + log1p(m - 1), x = m 2^e with 1 <= m < 2.
ACT_INLINE DD LogAtLeastOne(DD x) {
  bool normal;
  const double e = ExponentOf(x.hi, &normal);
  const double unscale = Pow2(AtLeast(-e, -1000.0));
  const DD m = {x.hi * unscale, x.lo * unscale};
  return Add(Mul(kLn2, e), Log1p(Add(m, -1.0)));
}

// z with its low part dropped where |z.hi| is past 800, where sigmoid and
// exp no longer depend on it (and where an overflowed product leaves a NaN
// low part).
ACT_INLINE DD Tame(DD z) { return {z.hi, Abs(z.hi) < 800 ? z.lo : 0.0}; }

// The pieces of the logistic function at z: e = e^-|z|, and 1 + e.
struct Logistic {
  Scaled e;
  DD one_plus_e;
};

ACT_INLINE Logistic LogisticParts(DD z) {
  z = Tame(z);
  const DD minus_abs = Select(z.hi < 0, z, Negate(z));
  const Scaled e = Exp(minus_abs);
  return {e, Add(ToDD(e), 1.0)};
}

// sigmoid(z) = 1 / (1 + e^-z): e / (1 + e) for z < 0, keeping the tail's
// scale, 1 / (1 + e) otherwise.
ACT_INLINE Scaled Sigmoid(DD z) {
  const Logistic l = LogisticParts(z);
  const Scaled negative = {Div(l.e.v, l.one_plus_e), l.e.k};
  const Scaled positive = Unscaled(Div(kOne, l.one_plus_e));
  return Select(z.hi < 0, negative, positive);
}

// sigmoid'(z) = e / (1 + e)^2.
ACT_INLINE Scaled SigmoidSlope(DD z) {
  const Logistic l = LogisticParts(z);
  return {Div(l.e.v, Mul(l.one_plus_e, l.one_plus_e)), l.e.k};
}

// ---------------------------------------------------------------------------
// erfc, for the GELU.

// The decomposition erfc(a) = decay * ratio for a >= 0: decay = e^(-a^2),
// carried apart as it may be far below the smallest double, and
// ratio = R(t) / (1 + 2a), where R(t) = (1 + 2a) e^(a^2) erfc(a) with
// t = (a - 3.75) / (a + 3.75) is smooth on [-1, 1).
struct ErfcParts {
  Scaled decay;
  DD ratio;
};

// R(t) on a in [0, 40]: a degree-26 fit of Chebyshev's kind to 60-digit
// values of erfc, computed for this library with mpmath and written out in
// powers of t, within 4e-20 of R. The ten leading coefficients are
// double-doubles and their Horner steps are taken in double-double with t
// itself a double-double (an ulp of t alone moves R by 1.6 ulps); the
// rest, together below 6e-4, in double. In all, R is within 1.3e-19.
constexpr DD kErfcHead[10] = {
    {1.2375126308378275, 1.0543936699511065e-16},
    {-0.14024059858554702, 3.5976839286011815e-18},
    {0.0035854154854636595, -6.057019887243562e-20},
    {0.08227673849015095, 5.399934525422278e-18},
    {-0.10880393014170553, 6.010036442715611e-18},
    {0.09230432116020197, -5.852786580304903e-18},
    {-0.05869339859059502, -1.5203615756394868e-18},
    {0.028362277421432398, 3.7227176123591363e-19},
    {-0.00974657954702378, -5.44005451520574e-19},
    {0.0017556258334493404, -9.754474262643265e-20},
};
constexpr double kErfcTail[17] = {
    0.0002937135904338302,   -0.0002901539869456146, 5.164942779086058e-05,
    2.2383948690968694e-05,  -1.1445107866845013e-05, -9.729662183095921e-07,
    1.7535527068257468e-06,  -5.80133883592693e-08,  -2.6126611125748445e-07,
    2.393530033467661e-08,   4.1023712244435065e-08, -4.0681319946097e-09,
    -6.5149615497862525e-09, 3.7776938470660543e-10, 8.552528774823597e-10,
    1.0590493175933822e-12,  -5.7100803390482454e-11,
};

// erfc(a) for a double-double a >= 0 whose square, passed in as the
// caller has it exactly, is a_squared. a is clamped at 40, where the decay
// is already e^-1600.
ACT_INLINE ErfcParts Erfc(DD a, DD a_squared) {
  constexpr double kShift = 3.75;
  const DD clamped = Select(a.hi < 40, a, DD{40.0, 0.0});
  const DD t = Div(Add(clamped, -kShift), Add(clamped, kShift));

  // Unrolled, so that the constants are immediate and the loop around
  // each element vectorizes.
  double tail = kErfcTail[16];
#pragma GCC unroll 16
  for (int i = 15; i >= 0; --i) tail = tail * t.hi + kErfcTail[i];
  DD r = {tail, 0.0};
#pragma GCC unroll 10
  for (int i = 9; i >= 0; --i) r = Add(Mul(r, t), kErfcHead[i]);

  const DD one_plus_2a = Add(DD{2 * clamped.hi, 2 * clamped.lo}, 1.0);
  return {Exp(Negate(a_squared)), Div(r, one_plus_2a)};
}

}  // namespace dd
}  // namespace
}  // namespace act

#endif  // ACTIVATIONS_DOUBLE_MATH_H_
