// The native test program: every exported kernel, both element types, at
// every instruction level this processor runs, through the C ABI.
//
// For each kernel it runs lengths 0 to 300 and a few large ones that split
// between threads and use streaming stores, at element offsets 0 to 3 and at
// a misaligned base, out of place and in place, on inputs full of special
// values. Each call must
//   - return ACT_OK,
//   - leave the guard bytes around every array as they were (under
//     AddressSanitizer the guards are poisoned, so even a read fails),
//   - leave every input that is not the output unchanged,
//   - write every element of the output,
//   - and give the same bits as the baseline level out of place at offset
//     0, whatever the level, the offset, the aliasing or the thread count
//     (a NaN may come out as another NaN; see g_strict_nan).
// Then every way to call a kernel wrongly must return the documented
// status and write nothing.
//
//   kernels_test                 run everything, print a summary line
//   kernels_test --hash          also print a hash of each kernel's
//                                baseline outputs, NaNs made canonical, to
//                                compare builds for other architectures
//   kernels_test --strict-nan    NaNs must match bit for bit too
//   kernels_test --all-failures  print every failure, not the first 25
//
// The exit status is 0 only when every check passed.

#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "harness.h"

namespace {

using harness::Args;
using harness::GuardedArray;
using harness::Kernel;
using harness::Profile;
using harness::Shape;

// ---------------------------------------------------------------------------
// Counting and reporting

// A check is one call of the main suite or one bad-argument call; it
// fails when anything about it was wrong, which may be several messages.
struct Tally {
  uint64_t calls = 0;
  uint64_t argument_checks = 0;
  uint64_t failures = 0;
  uint64_t failed_checks = 0;
  // Elements where a level, layout or thread count gave a NaN whose sign
  // or payload differs from the reference's (see g_strict_nan).
  uint64_t nan_bit_differences = 0;
};

Tally g_tally;
// Failure messages printed; --all-failures prints every one.
uint64_t g_failures_shown = 25;

// Whether two NaNs must also agree in sign and payload (--strict-nan). By
// default they need not: the vector and scalar paths of one loop, and the
// levels, propagate a different one of two NaN operands, or make a new NaN
// (negative on x86) where another path passes an input's on, and no
// caller can tell NaNs apart by value. Every other value must match bit
// for bit.
bool g_strict_nan = false;

__attribute__((format(printf, 1, 2))) void Fail(const char* format, ...) {
  ++g_tally.failures;
  if (g_tally.failures > g_failures_shown) return;
  va_list arguments;
  va_start(arguments, format);
  std::fputs("FAIL ", stderr);
  std::vfprintf(stderr, format, arguments);
  std::fputc('\n', stderr);
  va_end(arguments);
}

// ---------------------------------------------------------------------------
// What a case is

constexpr size_t kLargestSmallLength = 300;

// Long enough that the work splits between threads (the grains of
// activations.cc are 2^13 and 2^16 elements per thread), and, for the
// second, that the output passes 1 MiB and goes through streaming stores.
const size_t kLargeLengths[] = {20483, 262147};

// Where each array starts: element offsets from a 64-byte boundary. Every
// array stays aligned to its element, as a typed array always is.
struct Layout {
  const char* name;
  size_t a, b, out, alpha, dalpha;
};

const Layout kLayouts[] = {
    {"offset 0", 0, 0, 0, 0, 0},
    {"offset 1", 1, 1, 1, 1, 1},
    {"offset 2", 2, 2, 2, 2, 2},
    {"offset 3", 3, 3, 3, 3, 3},
    // Every array at another misalignment, none of them on a 16-byte
    // boundary, so that input and output never line up.
    {"misaligned base", 9, 11, 5, 7, 13},
};

// Which array the output is.
enum class Mode { kOutOfPlace, kOverA, kOverB };

const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kOutOfPlace:
      return "out of place";
    case Mode::kOverA:
      return "in place over the first input";
    case Mode::kOverB:
      return "in place over the second input";
  }
  return "?";
}

std::vector<Mode> ModesOf(Shape shape) {
  if (shape == Shape::kCopy) return {Mode::kOutOfPlace};
  if (harness::UsesSecondInput(shape)) {
    return {Mode::kOutOfPlace, Mode::kOverA, Mode::kOverB};
  }
  return {Mode::kOutOfPlace, Mode::kOverA};
}

// The parameters of one case.
struct Config {
  double p0 = 0;
  double p1 = 0;
  size_t alpha_n = 0;
  size_t axis = 0;
};

size_t SmallestDivisor(size_t n) {
  for (size_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) return d;
  }
  return n;
}

void AddUnique(std::vector<size_t>& values, size_t value) {
  for (size_t v : values) {
    if (v == value) return;
  }
  values.push_back(value);
}

std::vector<Config> ConfigsOf(Shape shape, bool zero_invalid, size_t n) {
  std::vector<Config> configs;
  switch (shape) {
    case Shape::kUnaryP1:
    case Shape::kGradientP1:
      for (double p : {1.0, -1.5, zero_invalid ? 0.25 : 0.0, 3e-300,
                       -1e300}) {
        configs.push_back({p, 0, 0, 0});
      }
      break;
    case Shape::kUnaryP2:
    case Shape::kGradientP2:
      for (const auto& pair : {std::pair<double, double>{0.2, 0.5},
                               {-1.5, 0.25},
                               {0, 0},
                               {1e300, -1e-300}}) {
        configs.push_back({pair.first, pair.second, 0, 0});
      }
      break;
    case Shape::kRows:
    case Shape::kRowsGradient: {
      std::vector<size_t> axes;
      if (n == 0) {
        for (size_t axis : {0, 1, 7}) axes.push_back(axis);
      } else {
        const size_t d = SmallestDivisor(n);
        AddUnique(axes, n);
        AddUnique(axes, 1);
        AddUnique(axes, d);
        AddUnique(axes, n / d);
      }
      for (size_t axis : axes) configs.push_back({0, 0, 0, axis});
      break;
    }
    case Shape::kPrelu:
    case Shape::kPreluGradient: {
      std::vector<size_t> counts{1, 3, 16, 37};
      if (n > 0) AddUnique(counts, n);
      AddUnique(counts, n + 5);
      for (size_t count : counts) configs.push_back({0, 0, count, 0});
      break;
    }
    case Shape::kCopy:
      configs.push_back({0, 0, 0, 0});
      configs.push_back({1, 0, 0, 0});
      break;
    default:
      configs.push_back({});
      break;
  }
  return configs;
}

std::string Describe(const char* name, const char* type, size_t n,
                     const Config& config) {
  char text[200];
  std::snprintf(text, sizeof text,
                "act_%s_%s n=%zu p0=%g p1=%g alpha_n=%zu axis=%zu", name,
                type, n, config.p0, config.p1, config.alpha_n, config.axis);
  return text;
}

// ---------------------------------------------------------------------------
// Levels

struct Level {
  uint32_t index;
  std::string name;
};

std::vector<Level> Levels() {
  std::vector<Level> levels;
  for (uint32_t level = 0; level <= act_isa_level_max(); ++level) {
    if (act_set_isa_level(level) != ACT_OK) {
      Fail("act_set_isa_level(%u) refused a level <= act_isa_level_max()",
           level);
      continue;
    }
    levels.push_back({level, act_isa_name()});
  }
  act_set_isa_level(0);
  return levels;
}

// ---------------------------------------------------------------------------
// The main suite

// Equal bits, or both NaN unless g_strict_nan; NaNs that differ only in
// bits are counted.
template <typename T>
bool SameResults(const T* a, const T* b, size_t n, size_t* where) {
  if (n == 0 || std::memcmp(a, b, n * sizeof(T)) == 0) return true;
  for (size_t i = 0; i < n; ++i) {
    if (harness::BitsOf(a[i]) == harness::BitsOf(b[i])) continue;
    if (!g_strict_nan && a[i] != a[i] && b[i] != b[i]) {
      ++g_tally.nan_bit_differences;
      continue;
    }
    *where = i;
    return false;
  }
  return true;
}

template <typename T>
bool SameBits(const T* a, const T* b, size_t n, size_t* where) {
  if (n == 0 || std::memcmp(a, b, n * sizeof(T)) == 0) return true;
  for (size_t i = 0; i < n; ++i) {
    if (harness::BitsOf(a[i]) != harness::BitsOf(b[i])) {
      *where = i;
      return false;
    }
  }
  return true;
}

// memcpy would be given the null data() of an empty vector.
template <typename T>
void CopyInto(T* destination, const std::vector<T>& source) {
  if (!source.empty()) {
    std::memcpy(destination, source.data(), source.size() * sizeof(T));
  }
}

template <typename T>
std::string ShowValue(T value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g (0x%0*" PRIx64 ")",
                static_cast<double>(value), static_cast<int>(2 * sizeof(T)),
                harness::BitsOf(value));
  return text;
}

// The hash of each kernel's reference outputs, NaNs made canonical (their
// sign and payload are not portable between architectures).
template <typename T>
uint64_t HashOutput(uint64_t hash, const std::vector<T>& values) {
  for (T value : values) {
    const uint64_t bits =
        value != value ? 0x7FF8000000000000ull : harness::BitsOf(value);
    hash = harness::HashBytes(hash, &bits, sizeof bits);
  }
  return hash;
}

template <typename T>
class Suite {
 public:
  explicit Suite(const std::vector<Level>& levels) : levels_(levels) {}

  // Runs every case of `kernel`; returns the hash of its reference outputs.
  uint64_t Run(const Kernel<T>& kernel) {
    uint64_t hash = harness::kHashStart;
    for (size_t n = 0; n <= kLargestSmallLength; ++n) {
      hash = RunLength(kernel, n, false, hash);
    }
    for (size_t n : kLargeLengths) hash = RunLength(kernel, n, true, hash);
    return hash;
  }

 private:
  // Lengths up to kEveryConfigUpTo take every configuration; longer ones
  // the first and one more in turn, so that each configuration still meets
  // lengths of every remainder, and large ones only the first. Row
  // functions alternate between the profiles by length (rows of the wide
  // profile are mostly NaN); the others draw from the wide one, whose
  // ordinary values make up three quarters of it.
  uint64_t RunLength(const Kernel<T>& kernel, size_t n, bool large,
                     uint64_t hash) {
    constexpr size_t kEveryConfigUpTo = 32;
    const std::vector<Config> configs =
        ConfigsOf(kernel.shape, kernel.zero_invalid, n);
    const bool rows = kernel.shape == Shape::kRows ||
                      kernel.shape == Shape::kRowsGradient;
    const Profile profile =
        rows && (large || n % 2 == 1) ? Profile::kModerate : Profile::kWide;

    for (size_t c = 0; c < configs.size(); ++c) {
      const bool chosen =
          c == 0 || (!large && (n <= kEveryConfigUpTo ||
                                c == 1 + n % (configs.size() - 1)));
      if (!chosen) continue;
      hash = RunConfig(kernel, n, large, configs[c], c, profile, hash);
    }
    return hash;
  }

  uint64_t RunConfig(const Kernel<T>& kernel, size_t n, bool large,
                     const Config& config, size_t config_index,
                     Profile profile, uint64_t hash) {
    const Shape shape = kernel.shape;
    const bool second = harness::UsesSecondInput(shape);
    const bool alpha = harness::UsesAlpha(shape);
    const size_t alpha_n = config.alpha_n;

    // Inputs depend on the kernel, the length and the configuration only,
    // so that every layout, mode, level and thread count must agree.
    uint64_t seed = harness::HashString(harness::kHashStart, kernel.name);
    seed = harness::HashString(seed, harness::TypeSuffix<T>());
    seed = harness::HashBytes(seed, &n, sizeof n);
    seed = harness::HashBytes(seed, &config_index, sizeof config_index);
    seed = harness::HashBytes(seed, &profile, sizeof profile);
    std::vector<T> a_in(n), b_in(second ? n : 0), alpha_in(alpha_n);
    harness::FillValues(a_in.data(), n, profile, seed);
    harness::FillValues(b_in.data(), b_in.size(), profile, seed + 1);
    harness::FillValues(alpha_in.data(), alpha_n, profile, seed + 2);

    // The reference: outputs followed, for PReLU's gradient, by dalpha.
    std::vector<T> reference;
    bool have_reference = false;
    const std::string what =
        Describe(kernel.name, harness::TypeSuffix<T>(), n, config);

    for (size_t l = 0; l < sizeof kLayouts / sizeof kLayouts[0]; ++l) {
      if (large && l != 0 && l != 4) continue;
      const Layout& layout = kLayouts[l];
      GuardedArray<T> a(n, layout.a * sizeof(T));
      GuardedArray<T> b(second ? n : 0, layout.b * sizeof(T));
      GuardedArray<T> out(n, layout.out * sizeof(T));
      GuardedArray<T> alphas(alpha_n, layout.alpha * sizeof(T));
      GuardedArray<T> dalpha(shape == Shape::kPreluGradient ? alpha_n : 0,
                             layout.dalpha * sizeof(T));

      for (Mode mode : ModesOf(shape)) {
        // In place at two layouts; large arrays only at offset 0.
        const bool in_place_layout = large ? l == 0 : (l == 0 || l == 4);
        if (mode != Mode::kOutOfPlace && !in_place_layout) continue;
        T* output = mode == Mode::kOutOfPlace
                        ? out.data()
                        : (mode == Mode::kOverA ? a.data() : b.data());
        Args<T> args;
        args.a = a.data();
        args.b = second ? b.data() : nullptr;
        args.out = output;
        args.n = n;
        args.p0 = config.p0;
        args.p1 = config.p1;
        args.alpha = alpha ? alphas.data() : nullptr;
        args.alpha_n = alpha_n;
        args.dalpha = shape == Shape::kPreluGradient ? dalpha.data()
                                                     : nullptr;
        args.axis = config.axis;

        // Large arrays run on 3 threads (more parts than this machine's
        // cores), and once on 1 at the baseline level; small ones on the
        // default, which never splits them.
        for (const Level& level : levels_) {
          act_set_isa_level(level.index);
          std::vector<uint32_t> thread_counts{0};
          if (large) {
            thread_counts = {3};
            if (level.index == 0) thread_counts.push_back(1);
          }
          for (uint32_t threads : thread_counts) {
            if (threads != 0) act_set_threads(threads);
            const unsigned run = ++runs_;

            CopyInto(a.data(), a_in);
            CopyInto(b.data(), b_in);
            CopyInto(alphas.data(), alpha_in);
            if (mode == Mode::kOutOfPlace) {
              harness::FillUnwritten(out.data(), n, run);
            }
            harness::FillUnwritten(dalpha.data(), dalpha.size(), run);
            a.Arm();
            b.Arm();
            out.Arm();
            alphas.Arm();
            dalpha.Arm();

            const uint64_t failures_before = g_tally.failures;
            const int32_t status = kernel.call(args);
            ++g_tally.calls;

            char thread_text[32] = "";
            if (threads != 0) {
              std::snprintf(thread_text, sizeof thread_text, ", %u threads",
                            threads);
            }
            char where[240];
            std::snprintf(where, sizeof where, "%s, %s, %s, level %s%s",
                          what.c_str(), layout.name, ModeName(mode),
                          level.name.c_str(), thread_text);
            CheckGuards(where, a, b, out, alphas, dalpha);
            if (status != ACT_OK) {
              Fail("%s: status %d, expected ACT_OK", where, status);
              ++g_tally.failed_checks;
              continue;
            }
            CheckInputs(where, mode, a, a_in, b, b_in, alphas, alpha_in);
            CompareWithReference(where, n, output, dalpha, &reference,
                                 &have_reference, kernel, a_in, &hash);
            if (g_tally.failures != failures_before) ++g_tally.failed_checks;
          }
        }
        if (large) act_set_threads(default_threads_);
      }
    }
    act_set_isa_level(0);
    return hash;
  }

  // The first run of a configuration becomes its reference; every later
  // run must give the same bits.
  void CompareWithReference(const char* where, size_t n, const T* output,
                            const GuardedArray<T>& dalpha,
                            std::vector<T>* reference, bool* have_reference,
                            const Kernel<T>& kernel,
                            const std::vector<T>& a_in, uint64_t* hash) {
    std::vector<T> result(output, output + n);
    result.insert(result.end(), dalpha.data(), dalpha.data() + dalpha.size());
    if (!*have_reference) {
      *reference = result;
      *have_reference = true;
      CheckReference(where, kernel, a_in, *reference, n);
      *hash = HashOutput(*hash, *reference);
      return;
    }
    size_t index = 0;
    if (!SameResults(reference->data(), result.data(), result.size(),
                     &index)) {
      Fail("%s: element %zu%s is %s, but %s at level %s, offset 0, out of "
           "place",
           where, index, index >= n ? " (of dalpha)" : "",
           ShowValue(result[index]).c_str(),
           ShowValue((*reference)[index]).c_str(), levels_[0].name.c_str());
    }
  }

  void CheckGuards(const char* where, GuardedArray<T>& a, GuardedArray<T>& b,
                   GuardedArray<T>& out, GuardedArray<T>& alphas,
                   GuardedArray<T>& dalpha) {
    const struct {
      const char* name;
      GuardedArray<T>* array;
    } arrays[] = {{"first input", &a},
                  {"second input", &b},
                  {"output", &out},
                  {"alpha", &alphas},
                  {"dalpha", &dalpha}};
    for (const auto& entry : arrays) {
      const long changed = entry.array->Disarm();
      if (changed != 0) {
        Fail("%s: the guard of the %s changed at byte %ld from its start",
             where, entry.name, changed < 0 ? changed : changed - 1);
      }
    }
  }

  void CheckInputs(const char* where, Mode mode, const GuardedArray<T>& a,
                   const std::vector<T>& a_in, const GuardedArray<T>& b,
                   const std::vector<T>& b_in, const GuardedArray<T>& alphas,
                   const std::vector<T>& alpha_in) {
    size_t index = 0;
    if (mode != Mode::kOverA &&
        !SameBits(a.data(), a_in.data(), a_in.size(), &index)) {
      Fail("%s: the first input changed at element %zu", where, index);
    }
    if (mode != Mode::kOverB &&
        !SameBits(b.data(), b_in.data(), b_in.size(), &index)) {
      Fail("%s: the second input changed at element %zu", where, index);
    }
    if (!SameBits(alphas.data(), alpha_in.data(), alpha_in.size(), &index)) {
      Fail("%s: alpha changed at element %zu", where, index);
    }
  }

  // What the header promises of the values themselves, where that is
  // exact: a copy is the input, and dalpha is all +0 when n is 0.
  void CheckReference(const char* where, const Kernel<T>& kernel,
                      const std::vector<T>& a_in,
                      const std::vector<T>& reference, size_t n) {
    size_t index = 0;
    if (kernel.shape == Shape::kCopy &&
        !SameBits(a_in.data(), reference.data(), n, &index)) {
      Fail("%s: the copy differs from its input at element %zu", where,
           index);
    }
    if (kernel.shape == Shape::kPreluGradient && n == 0) {
      for (size_t j = 0; j < reference.size(); ++j) {
        if (harness::BitsOf(reference[j]) != 0) {
          Fail("%s: dalpha[%zu] is %s, expected +0", where, j,
               ShowValue(reference[j]).c_str());
          break;
        }
      }
    }
  }

  const std::vector<Level>& levels_;
  const uint32_t default_threads_ = act_get_threads();
  // Counts every call, so that each writes its own marker.
  unsigned runs_ = 0;
};

// ---------------------------------------------------------------------------
// Bad arguments

template <typename T>
void ExpectStatus(const char* what, int32_t status, int32_t expected,
                  const GuardedArray<T>& out, const GuardedArray<T>& dalpha) {
  if (status != expected) {
    Fail("%s: status %d, expected %d", what, status, expected);
  }

  // A refused call writes nothing: the outputs keep their marker.
  std::vector<T> marker(out.size() > dalpha.size() ? out.size()
                                                   : dalpha.size());
  harness::FillUnwritten(marker.data(), marker.size(), 0);
  size_t index = 0;
  if (status != ACT_OK &&
      (!SameBits(out.data(), marker.data(), out.size(), &index) ||
       !SameBits(dalpha.data(), marker.data(), dalpha.size(), &index))) {
    Fail("%s: refused, but wrote element %zu", what, index);
  }
}

template <typename T>
void TestArguments(const Kernel<T>& kernel) {
  const Shape shape = kernel.shape;
  const char* type = harness::TypeSuffix<T>();
  constexpr size_t n = 6;
  constexpr size_t alpha_n = 3;
  GuardedArray<T> a(n, 0), b(n, 0), out(n, 0), alphas(alpha_n, 0);
  GuardedArray<T> dalpha(alpha_n, 0);
  harness::FillValues(a.data(), n, Profile::kModerate, 1);
  harness::FillValues(b.data(), n, Profile::kModerate, 2);
  harness::FillValues(alphas.data(), alpha_n, Profile::kModerate, 3);

  Args<T> valid;
  valid.a = a.data();
  valid.b = harness::UsesSecondInput(shape) ? b.data() : nullptr;
  valid.out = out.data();
  valid.n = n;
  valid.p0 = 0.5;
  valid.p1 = 0.25;
  valid.alpha = harness::UsesAlpha(shape) ? alphas.data() : nullptr;
  valid.alpha_n = harness::UsesAlpha(shape) ? alpha_n : 0;
  valid.dalpha = shape == Shape::kPreluGradient ? dalpha.data() : nullptr;
  valid.axis = 3;

  char what[200];
  const auto call = [&](const Args<T>& args, int32_t expected,
                        const char* how) {
    harness::FillUnwritten(out.data(), n, 0);
    harness::FillUnwritten(dalpha.data(), alpha_n, 0);
    const uint64_t failures_before = g_tally.failures;
    ++g_tally.argument_checks;
    a.Arm();
    b.Arm();
    out.Arm();
    alphas.Arm();
    dalpha.Arm();
    const int32_t status = kernel.call(args);
    std::snprintf(what, sizeof what, "act_%s_%s with %s", kernel.name, type,
                  how);
    for (GuardedArray<T>* array : {&a, &b, &out, &alphas, &dalpha}) {
      if (array->Disarm() != 0) Fail("%s: a guard changed", what);
    }
    ExpectStatus(what, status, expected, out, dalpha);
    if (g_tally.failures != failures_before) ++g_tally.failed_checks;
  };

  call(valid, ACT_OK, "valid arguments");

  // Each pointer null in turn.
  const struct {
    const char* name;
    bool used;
    void (*clear)(Args<T>&);
  } pointers[] = {
      {"a null first input", true, [](Args<T>& c) { c.a = nullptr; }},
      {"a null second input", harness::UsesSecondInput(shape),
       [](Args<T>& c) { c.b = nullptr; }},
      {"a null output", true, [](Args<T>& c) { c.out = nullptr; }},
      {"a null alpha", harness::UsesAlpha(shape),
       [](Args<T>& c) { c.alpha = nullptr; }},
      {"a null dalpha", shape == Shape::kPreluGradient,
       [](Args<T>& c) { c.dalpha = nullptr; }},
  };
  for (const auto& pointer : pointers) {
    if (!pointer.used) continue;
    Args<T> args = valid;
    pointer.clear(args);
    call(args, ACT_NULL_POINTER, pointer.name);
  }

  // A length of 0 touches no memory, so every pointer may be null; PReLU's
  // gradient still writes dalpha whole.
  Args<T> empty = valid;
  empty.n = 0;
  empty.a = empty.b = empty.alpha = nullptr;
  empty.out = empty.dalpha = nullptr;
  if (shape == Shape::kPreluGradient) {
    empty.alpha_n = 0;
    call(empty, ACT_OK, "n = 0, alpha_n = 0 and null pointers");
    empty.alpha_n = alpha_n;
    call(empty, ACT_NULL_POINTER, "n = 0, alpha_n = 3 and null alpha");
    empty.alpha = alphas.data();
    empty.dalpha = dalpha.data();
    call(empty, ACT_OK, "n = 0, alpha_n = 3 and null arrays");
  } else {
    call(empty, ACT_OK, "n = 0 and null pointers");
  }

  // Parameters out of the domain.
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> bad{nan, -nan, inf, -inf};
  if (kernel.zero_invalid) {
    bad.push_back(0.0);
    bad.push_back(-0.0);
  }
  const int parameters = harness::ParameterCount(shape);
  for (int which = 0; which < parameters; ++which) {
    for (double p : bad) {
      Args<T> args = valid;
      (which == 0 ? args.p0 : args.p1) = p;
      char how[64];
      std::snprintf(how, sizeof how, "parameter %d = %g", which, p);
      call(args, ACT_INVALID_ARGUMENT, how);
    }
  }

  if (shape == Shape::kRows || shape == Shape::kRowsGradient) {
    for (size_t axis : {size_t{0}, size_t{4}, size_t{12}, SIZE_MAX}) {
      Args<T> args = valid;
      args.axis = axis;
      char how[64];
      std::snprintf(how, sizeof how, "n = 6 and axis_length = %zu", axis);
      call(args, ACT_INVALID_ARGUMENT, how);
    }
  }

  if (harness::UsesAlpha(shape)) {
    Args<T> args = valid;
    args.alpha_n = 0;
    call(args, ACT_INVALID_ARGUMENT, "alpha_n = 0");
  }
}

void TestLibraryControls(const std::vector<Level>& levels) {
  const auto expect = [](bool ok, const char* what) {
    ++g_tally.argument_checks;
    if (!ok) {
      Fail("%s", what);
      ++g_tally.failed_checks;
    }
  };

  expect(act_abi_version() == ACT_ABI_VERSION,
         "act_abi_version() differs from ACT_ABI_VERSION");

#if defined(__x86_64__)
  const char* const names[] = {"baseline", "avx2", "avx512"};
#elif defined(__aarch64__)
  const char* const names[] = {"neon"};
#else
  const char* const names[] = {"baseline"};
#endif
  for (const Level& level : levels) {
    expect(level.index < sizeof names / sizeof names[0] &&
               level.name == names[level.index],
           "act_isa_name() is not the header's name of the level");
  }

  const uint32_t before = act_isa_level();
  expect(act_set_isa_level(act_isa_level_max() + 1) == ACT_INVALID_ARGUMENT,
         "act_set_isa_level(max + 1) was accepted");
  expect(act_set_isa_level(UINT32_MAX) == ACT_INVALID_ARGUMENT,
         "act_set_isa_level(UINT32_MAX) was accepted");
  expect(act_isa_level() == before, "a refused level changed the level");
  for (const Level& level : levels) {
    expect(act_set_isa_level(level.index) == ACT_OK &&
               act_isa_level() == level.index,
           "act_isa_level() does not report the level set");
  }
  act_set_isa_level(0);

  const uint32_t threads = act_get_threads();
  expect(threads >= 1 && threads <= 256, "act_get_threads() is not 1..256");
  expect(act_set_threads(0) == ACT_INVALID_ARGUMENT,
         "act_set_threads(0) was accepted");
  expect(act_set_threads(257) == ACT_INVALID_ARGUMENT,
         "act_set_threads(257) was accepted");
  expect(act_get_threads() == threads, "a refused count changed threads");
  expect(act_set_threads(256) == ACT_OK && act_get_threads() == 256,
         "act_set_threads(256) did not take");
  act_set_threads(threads);
}

// ---------------------------------------------------------------------------
// Calls from several threads at once

// Four threads call large kernels at the same time, so that the pool is
// busy when most of them arrive and they run on their own; each result
// must equal the one computed alone.
void TestConcurrentCalls() {
  constexpr size_t n = 300007;
  constexpr int kThreads = 4;
  constexpr int kCallsEach = 3;
  std::vector<float> x(n);
  harness::FillValues(x.data(), n, Profile::kWide, 99);
  std::vector<float> expected(n);
  act_set_isa_level(act_isa_level_max());
  if (act_sigmoid_f32(x.data(), expected.data(), n) != ACT_OK) {
    Fail("act_sigmoid_f32 on %zu elements did not return ACT_OK", n);
  }

  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<float> y(n);
      for (int call = 0; call < kCallsEach; ++call) {
        const bool ok = act_sigmoid_f32(x.data(), y.data(), n) == ACT_OK &&
                        std::memcmp(y.data(), expected.data(),
                                    n * sizeof(float)) == 0;
        if (!ok) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  act_set_isa_level(0);

  for (int t = 0; t < kThreads; ++t) {
    g_tally.calls += kCallsEach;
    g_tally.failed_checks += static_cast<uint64_t>(failures[t]);
    if (failures[t] != 0) {
      Fail("act_sigmoid_f32 from %d threads at once: thread %d got %d wrong "
           "results",
           kThreads, t, failures[t]);
    }
  }
}

template <typename T>
void RunType(const std::vector<Level>& levels, bool print_hashes,
             uint64_t* total_hash) {
  Suite<T> suite(levels);
  for (const Kernel<T>& kernel : harness::Kernels<T>()) {
    const uint64_t hash = suite.Run(kernel);
    *total_hash = harness::HashBytes(*total_hash, &hash, sizeof hash);
    if (print_hashes) {
      std::printf("hash act_%s_%s %016" PRIx64 "\n", kernel.name,
                  harness::TypeSuffix<T>(), hash);
    }
    TestArguments(kernel);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool print_hashes = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--hash") == 0) {
      print_hashes = true;
    } else if (std::strcmp(argv[i], "--all-failures") == 0) {
      g_failures_shown = UINT64_MAX;
    } else if (std::strcmp(argv[i], "--strict-nan") == 0) {
      g_strict_nan = true;
    } else {
      std::fprintf(stderr, "usage: %s [--hash] [--all-failures] [--strict-nan]\n", argv[0]);
      return 2;
    }
  }
  const auto start = std::chrono::steady_clock::now();

  const std::vector<Level> levels = Levels();
  TestLibraryControls(levels);
  uint64_t total_hash = harness::kHashStart;
  RunType<float>(levels, print_hashes, &total_hash);
  RunType<double>(levels, print_hashes, &total_hash);
  TestConcurrentCalls();

  const double seconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  std::string names;
  for (const Level& level : levels) {
    names += (names.empty() ? "" : " ") + level.name;
  }
  if (print_hashes) std::printf("hash all %016" PRIx64 "\n", total_hash);
  const uint64_t checks = g_tally.calls + g_tally.argument_checks;
  std::printf(
      "kernels_test: %zu kernels x 2 types, levels %s: %" PRIu64
      " calls and %" PRIu64 " argument checks in %.1f s (%" PRIu64
      " NaN results differed in sign or payload only): %" PRIu64
      " passed, %" PRIu64 " failed\n",
      harness::Kernels<float>().size(), names.c_str(), g_tally.calls,
      g_tally.argument_checks, seconds, g_tally.nan_bit_differences,
      checks - g_tally.failed_checks, g_tally.failed_checks);
  return g_tally.failures == 0 ? 0 : 1;
}
