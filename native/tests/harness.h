// What the native test program and the fuzzer share: every exported kernel
// of activations.h as a row of a table, arrays with guard regions around
// them, and the special values the inputs are drawn from.
//
// Both programs call the library only through its C ABI, as the Deno
// binding does, so that the argument checks and the thread split run too.

#ifndef ACTIVATIONS_TESTS_HARNESS_H_
#define ACTIVATIONS_TESTS_HARNESS_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "../activations.h"
#include "../kernels.h"

// AddressSanitizer is told about the guard regions, so that a read of them
// fails at once; without it the canary bytes still catch any write.
#if defined(__SANITIZE_ADDRESS__)
#define HARNESS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HARNESS_ASAN 1
#endif
#endif
#ifdef HARNESS_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace harness {

// ---------------------------------------------------------------------------
// The kernels as data

// How a kernel is called. "P1" and "P2" take one or two double parameters.
enum class Shape {
  kUnary,          // (x, y, n)
  kUnaryP1,        // (x, y, n, p0)
  kUnaryP2,        // (x, y, n, p0, p1)
  kGradient,       // (dy, x, dx, n)
  kGradientP1,     // (dy, x, dx, n, p0)
  kGradientP2,     // (dy, x, dx, n, p0, p1)
  kRows,           // (x, y, n, axis)
  kRowsGradient,   // (dy, y, dx, n, axis)
  kPrelu,          // (x, y, n, alpha, alpha_n)
  kPreluGradient,  // (dy, x, dx, n, alpha, alpha_n, dalpha)
  kCopy,           // (x, y, n, streaming = p0 != 0)
};

// The arguments of any kernel: `a` is x, or dy for a gradient; `b` is the
// second input of a gradient (x, or y for the row functions).
template <typename T>
struct Args {
  const T* a = nullptr;
  const T* b = nullptr;
  T* out = nullptr;
  size_t n = 0;
  double p0 = 0;
  double p1 = 0;
  const T* alpha = nullptr;
  size_t alpha_n = 0;
  T* dalpha = nullptr;
  size_t axis = 0;
};

template <typename T>
struct Kernel {
  // The ABI name without its type suffix, such as "gelu_grad".
  const char* name;
  Shape shape;
  int32_t (*call)(const Args<T>& args);
  // For one-parameter kernels: the header rules the parameter 0 out.
  bool zero_invalid;
};

inline bool UsesSecondInput(Shape shape) {
  return shape == Shape::kGradient || shape == Shape::kGradientP1 ||
         shape == Shape::kGradientP2 || shape == Shape::kRowsGradient ||
         shape == Shape::kPreluGradient;
}

inline bool UsesAlpha(Shape shape) {
  return shape == Shape::kPrelu || shape == Shape::kPreluGradient;
}

inline int ParameterCount(Shape shape) {
  switch (shape) {
    case Shape::kUnaryP1:
    case Shape::kGradientP1:
      return 1;
    case Shape::kUnaryP2:
    case Shape::kGradientP2:
      return 2;
    default:
      return 0;
  }
}

inline bool ZeroInvalid(const char* name) {
  return std::strcmp(name, "celu") == 0 ||
         std::strcmp(name, "celu_grad") == 0 ||
         std::strcmp(name, "softplus") == 0 ||
         std::strcmp(name, "softplus_grad") == 0;
}

// One macro per family writes the rows of both element types; the lists of
// kernels.h name the families, so a function added there is tested here
// without another line (and fails to link until it is exported).
#define HARNESS_PLAIN_ROWS(name, T, sfx)                                 \
  Kernel<T>{#name, Shape::kUnary,                                        \
            [](const Args<T>& c) {                                       \
              return act_##name##_##sfx(c.a, c.out, c.n);                \
            },                                                           \
            false},                                                      \
      Kernel<T>{#name "_grad", Shape::kGradient,                         \
                [](const Args<T>& c) {                                   \
                  return act_##name##_grad_##sfx(c.a, c.b, c.out, c.n);  \
                },                                                       \
                false},

#define HARNESS_ONE_PARAMETER_ROWS(name, T, sfx)                          \
  Kernel<T>{#name, Shape::kUnaryP1,                                       \
            [](const Args<T>& c) {                                        \
              return act_##name##_##sfx(c.a, c.out, c.n, c.p0);           \
            },                                                            \
            ZeroInvalid(#name)},                                          \
      Kernel<T>{#name "_grad", Shape::kGradientP1,                        \
                [](const Args<T>& c) {                                    \
                  return act_##name##_grad_##sfx(c.a, c.b, c.out, c.n,    \
                                                 c.p0);                   \
                },                                                        \
                ZeroInvalid(#name)},

#define HARNESS_OTHER_ROWS(T, sfx)                                           \
  Kernel<T>{"hard_sigmoid", Shape::kUnaryP2,                                 \
            [](const Args<T>& c) {                                           \
              return act_hard_sigmoid_##sfx(c.a, c.out, c.n, c.p0, c.p1);    \
            },                                                               \
            false},                                                          \
      Kernel<T>{"hard_sigmoid_grad", Shape::kGradientP2,                     \
                [](const Args<T>& c) {                                       \
                  return act_hard_sigmoid_grad_##sfx(c.a, c.b, c.out, c.n,   \
                                                     c.p0, c.p1);            \
                },                                                           \
                false},                                                      \
      Kernel<T>{"prelu", Shape::kPrelu,                                      \
                [](const Args<T>& c) {                                       \
                  return act_prelu_##sfx(c.a, c.out, c.n, c.alpha,           \
                                         c.alpha_n);                         \
                },                                                           \
                false},                                                      \
      Kernel<T>{"prelu_grad", Shape::kPreluGradient,                         \
                [](const Args<T>& c) {                                       \
                  return act_prelu_grad_##sfx(c.a, c.b, c.out, c.n, c.alpha, \
                                              c.alpha_n, c.dalpha);          \
                },                                                           \
                false},                                                      \
      Kernel<T>{"softmax", Shape::kRows,                                     \
                [](const Args<T>& c) {                                       \
                  return act_softmax_##sfx(c.a, c.out, c.n, c.axis);         \
                },                                                           \
                false},                                                      \
      Kernel<T>{"softmax_grad", Shape::kRowsGradient,                        \
                [](const Args<T>& c) {                                       \
                  return act_softmax_grad_##sfx(c.a, c.b, c.out, c.n,        \
                                                c.axis);                     \
                },                                                           \
                false},                                                      \
      Kernel<T>{"log_softmax", Shape::kRows,                                 \
                [](const Args<T>& c) {                                       \
                  return act_log_softmax_##sfx(c.a, c.out, c.n, c.axis);     \
                },                                                           \
                false},                                                      \
      Kernel<T>{"log_softmax_grad", Shape::kRowsGradient,                    \
                [](const Args<T>& c) {                                       \
                  return act_log_softmax_grad_##sfx(c.a, c.b, c.out, c.n,    \
                                                    c.axis);                 \
                },                                                           \
                false},                                                      \
      Kernel<T>{"copy", Shape::kCopy,                                        \
                [](const Args<T>& c) {                                       \
                  return act_copy_##sfx(c.a, c.out, c.n, c.p0 != 0);         \
                },                                                           \
                false},

#define HARNESS_PLAIN_F32(name) HARNESS_PLAIN_ROWS(name, float, f32)
#define HARNESS_PLAIN_F64(name) HARNESS_PLAIN_ROWS(name, double, f64)
#define HARNESS_ONE_F32(name) HARNESS_ONE_PARAMETER_ROWS(name, float, f32)
#define HARNESS_ONE_F64(name) HARNESS_ONE_PARAMETER_ROWS(name, double, f64)

template <typename T>
const std::vector<Kernel<T>>& Kernels();

template <>
inline const std::vector<Kernel<float>>& Kernels<float>() {
  static const std::vector<Kernel<float>> table{
      ACT_PLAIN_FUNCTIONS(HARNESS_PLAIN_F32)
          ACT_ONE_PARAMETER_FUNCTIONS(HARNESS_ONE_F32)
              HARNESS_OTHER_ROWS(float, f32)};
  return table;
}

template <>
inline const std::vector<Kernel<double>>& Kernels<double>() {
  static const std::vector<Kernel<double>> table{
      ACT_PLAIN_FUNCTIONS(HARNESS_PLAIN_F64)
          ACT_ONE_PARAMETER_FUNCTIONS(HARNESS_ONE_F64)
              HARNESS_OTHER_ROWS(double, f64)};
  return table;
}

template <typename T>
const char* TypeSuffix();
template <>
inline const char* TypeSuffix<float>() {
  return "f32";
}
template <>
inline const char* TypeSuffix<double>() {
  return "f64";
}

// ---------------------------------------------------------------------------
// Arrays with guard regions

// Bytes of canary before and after every array: more than one cache line
// and more than the widest vector, so that a stray vector store lands in
// them.
constexpr size_t kGuardBytes = 192;
constexpr size_t kBaseAlignment = 64;

inline unsigned char CanaryByte(size_t position) {
  return static_cast<unsigned char>(0xA5u ^ (position * 29u));
}

// n elements that start `shift` bytes past a 64-byte boundary, between two
// guard regions. While armed, the guards hold the canary pattern and, under
// AddressSanitizer, are poisoned.
template <typename T>
class GuardedArray {
 public:
  GuardedArray(size_t n, size_t shift) : n_(n) {
    shift_ = shift;
    bytes_ = kGuardBytes + shift + n * sizeof(T) + kGuardBytes;
    bytes_ = (bytes_ + kBaseAlignment - 1) / kBaseAlignment * kBaseAlignment;
    block_ = static_cast<unsigned char*>(
        std::aligned_alloc(kBaseAlignment, bytes_));
    if (block_ == nullptr) std::abort();
    std::memset(block_, 0, bytes_);
  }

  ~GuardedArray() {
    Disarm();
    std::free(block_);
  }

  GuardedArray(const GuardedArray&) = delete;
  GuardedArray& operator=(const GuardedArray&) = delete;

  T* data() const {
    return reinterpret_cast<T*>(block_ + kGuardBytes + shift_);
  }
  size_t size() const { return n_; }

  void Arm() {
    const size_t begin = DataBegin();
    const size_t end = DataEnd();
    for (size_t i = 0; i < begin; ++i) block_[i] = CanaryByte(i);
    for (size_t i = end; i < bytes_; ++i) block_[i] = CanaryByte(i);
#ifdef HARNESS_ASAN
    ASAN_POISON_MEMORY_REGION(block_, begin);
    ASAN_POISON_MEMORY_REGION(block_ + end, bytes_ - end);
#endif
    armed_ = true;
  }

  // Lifts the poison; returns the position of the first changed canary
  // byte relative to the first element (negative before it), or 0 when
  // every one is intact.
  long Disarm() {
    if (!armed_) return 0;
    armed_ = false;
#ifdef HARNESS_ASAN
    ASAN_UNPOISON_MEMORY_REGION(block_, bytes_);
#endif
    const size_t begin = DataBegin();
    const size_t end = DataEnd();
    for (size_t i = 0; i < begin; ++i) {
      if (block_[i] != CanaryByte(i)) {
        return static_cast<long>(i) - static_cast<long>(begin);
      }
    }
    for (size_t i = end; i < bytes_; ++i) {
      if (block_[i] != CanaryByte(i)) {
        return static_cast<long>(i - begin) + 1;
      }
    }
    return 0;
  }

 private:
  size_t DataBegin() const { return kGuardBytes + shift_; }
  size_t DataEnd() const { return DataBegin() + n_ * sizeof(T); }

  unsigned char* block_ = nullptr;
  size_t bytes_ = 0;
  size_t shift_ = 0;
  size_t n_ = 0;
  bool armed_ = false;
};

// ---------------------------------------------------------------------------
// Values

// SplitMix64: a small generator with a full period, enough to spread test
// inputs; every case seeds its own so that cases do not depend on order.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) {
    const double unit = static_cast<double>(Next() >> 11) * 0x1.0p-53;
    return lo + (hi - lo) * unit;
  }

 private:
  uint64_t state_;
};

inline uint64_t HashBytes(uint64_t hash, const void* data, size_t size) {
  const unsigned char* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    hash = (hash ^ bytes[i]) * 0x100000001B3ull;
  }
  return hash;
}

constexpr uint64_t kHashStart = 0xCBF29CE484222325ull;

inline uint64_t HashString(uint64_t hash, const char* text) {
  return HashBytes(hash, text, std::strlen(text));
}

template <typename T>
T FromBits(uint64_t bits) {
  T value;
  if (sizeof(T) == 4) {
    const uint32_t narrow = static_cast<uint32_t>(bits);
    std::memcpy(&value, &narrow, sizeof value);
  } else {
    std::memcpy(&value, &bits, sizeof value);
  }
  return value;
}

template <typename T>
uint64_t BitsOf(T value) {
  if (sizeof(T) == 4) {
    uint32_t narrow;
    std::memcpy(&narrow, &value, sizeof narrow);
    return narrow;
  }
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// The values where kernels break: NaNs of both signs and with a payload,
// the infinities, both zeros, subnormals, the extremes of the type, the
// kinks of the piecewise functions and the points where exp overflows or
// an implementation switches formula.
template <typename T>
const std::vector<T>& SpecialValues() {
  using Limits = std::numeric_limits<T>;
  const uint64_t payload_nan = sizeof(T) == 4 ? 0x7FC01234ull
                                              : 0x7FF8000000001234ull;
  static const std::vector<T> values{
      Limits::quiet_NaN(),
      -Limits::quiet_NaN(),
      FromBits<T>(payload_nan),
      Limits::infinity(),
      -Limits::infinity(),
      T(0),
      -T(0),
      Limits::denorm_min(),
      -Limits::denorm_min(),
      Limits::min() - Limits::denorm_min(),
      Limits::min(),
      -Limits::min(),
      Limits::max(),
      Limits::lowest(),
      Limits::epsilon(),
      T(1),
      T(-1),
      T(3),
      T(-3),
      T(6),
      T(0.35),
      T(-0.35),
      T(20),
      T(-20),
      T(40),
      T(88.72),
      T(-87.34),
      T(-103.97),
      T(700),
      T(-745.2),
      T(1e-8),
      T(-1e-30),
      T(1e30),
  };
  return values;
}

// How inputs are drawn. kWide mixes the special values, raw bit patterns
// (every exponent, NaN payloads) and ordinary values; kModerate keeps to
// finite values where the functions bend, so that rows of softmax are not
// all NaN.
enum class Profile { kWide, kModerate };

template <typename T>
T DrawValue(Random& random, Profile profile) {
  const uint64_t pick = random.Next();
  const auto& specials = SpecialValues<T>();
  if (profile == Profile::kWide) {
    switch (pick % 8) {
      case 0:
      case 1:
        return specials[(pick >> 8) % specials.size()];
      case 2:
        return FromBits<T>(random.Next());
      default:
        break;
    }
  } else if (pick % 16 == 0) {
    const T kinks[] = {T(0), -T(0), T(3), T(-3), T(6), T(1), T(-1)};
    return kinks[(pick >> 8) % (sizeof kinks / sizeof kinks[0])];
  }
  return static_cast<T>(random.Uniform(-12.0, 12.0));
}

template <typename T>
void FillValues(T* values, size_t n, Profile profile, uint64_t seed) {
  Random random(seed);
  for (size_t i = 0; i < n; ++i) values[i] = DrawValue<T>(random, profile);
}

// A value no kernel computes, different for each run, written into an
// output before a call: an element the kernel forgot to write then differs
// between runs. It is finite (a tiny negative number), since NaNs compare
// equal to each other in the tests.
template <typename T>
void FillUnwritten(T* values, size_t n, unsigned run) {
  const uint64_t low = run & 0xFFu;
  const uint64_t bits = sizeof(T) == 4 ? 0x8F5A5A00ull + low
                                       : 0x85A5A5A5A5A5A500ull + low;
  const T marker = FromBits<T>(bits);
  for (size_t i = 0; i < n; ++i) values[i] = marker;
}

}  // namespace harness

#endif  // ACTIVATIONS_TESTS_HARNESS_H_
