// A libFuzzer target over every exported kernel (make fuzz).
//
// The bytes of an input choose a kernel and its element type, the length,
// each array's element offset, in place or not, the thread count, the
// parameters (often out of the domain), the row length or slope count, and
// finally the array contents. The kernel then runs at every instruction
// level this processor has. No run may crash or trip AddressSanitizer or
// UBSan, and each must:
//   - return the status the header documents for those arguments,
//   - write nothing when it refuses them,
//   - leave the guards around every array and every input that is not the
//     output unchanged,
//   - give, at every level and in place, the values of the baseline level
//     out of place, bit for bit (any NaN for a NaN, as kernels_test).
// A failure prints what went wrong and aborts, which libFuzzer reports as a
// crash with the input that caused it.

#include <cstdarg>
#include <cstdio>
#include <vector>

#include "../tests/harness.h"

namespace {

using harness::Args;
using harness::GuardedArray;
using harness::Kernel;
using harness::Shape;

// Reads the input front to back; past its end, zeros.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint8_t Byte() { return position_ < size_ ? data_[position_++] : 0; }

  uint16_t Word() {
    const uint16_t low = Byte();
    return static_cast<uint16_t>(low | (Byte() << 8));
  }

  uint64_t Bits64() {
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= uint64_t{Byte()} << (8 * i);
    return bits;
  }

  size_t Remaining() const { return size_ - position_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
};

// A parameter: usually one of these, which include the values out of the
// domain, and sometimes any 64 bits.
double Parameter(Reader& reader) {
  static const double kValues[] = {
      1.0,     0.5,      -1.5,     0.0,     -0.0,    0.2,      2.0,
      -1.0,    3.0,      1e-300,   5e-324,  1e300,   1.7976931348623157e308,
      -1e300,  0.01,     100.0,    1.6732632423543772,
      std::numeric_limits<double>::quiet_NaN(),
      std::numeric_limits<double>::infinity(),
      -std::numeric_limits<double>::infinity(),
  };
  constexpr size_t kCount = sizeof kValues / sizeof kValues[0];
  const uint8_t pick = reader.Byte();
  if (pick < 0xF0) return kValues[pick % kCount];
  uint64_t bits = reader.Bits64();
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

size_t GreatestCommonDivisor(size_t a, size_t b) {
  while (b != 0) {
    const size_t r = a % b;
    a = b;
    b = r;
  }
  return a;
}

// Array contents: raw bits of T, bytes as small integers scaled to where
// the functions bend, or those mixed with the special values. Past the end
// of the input, values drawn from a generator seeded by the input.
template <typename T>
void FillArray(Reader& reader, uint8_t encoding, harness::Random& random,
               T* values, size_t n) {
  const auto& specials = harness::SpecialValues<T>();
  for (size_t i = 0; i < n; ++i) {
    if (reader.Remaining() == 0) {
      values[i] = harness::DrawValue<T>(random, harness::Profile::kWide);
      continue;
    }
    switch (encoding % 3) {
      case 0: {
        uint64_t bits = 0;
        for (size_t b = 0; b < sizeof(T); ++b) {
          bits |= uint64_t{reader.Byte()} << (8 * b);
        }
        values[i] = harness::FromBits<T>(bits);
        break;
      }
      case 1:
        values[i] = static_cast<T>(static_cast<int8_t>(reader.Byte()) / 8.0);
        break;
      default: {
        const uint8_t byte = reader.Byte();
        values[i] = byte >= 0xE0
                        ? specials[(byte - 0xE0u) % specials.size()]
                        : static_cast<T>(static_cast<int8_t>(byte) / 4.0);
        break;
      }
    }
  }
}

[[noreturn]] __attribute__((format(printf, 1, 2))) void Die(
    const char* format, ...) {
  va_list arguments;
  va_start(arguments, format);
  std::vfprintf(stderr, format, arguments);
  va_end(arguments);
  std::fputc('\n', stderr);
  std::abort();
}

template <typename T>
bool SameResults(const T* a, const T* b, size_t n, size_t* where) {
  for (size_t i = 0; i < n; ++i) {
    const bool both_nan = a[i] != a[i] && b[i] != b[i];
    if (harness::BitsOf(a[i]) != harness::BitsOf(b[i]) && !both_nan) {
      *where = i;
      return false;
    }
  }
  return true;
}

template <typename T>
bool SameBits(const T* a, const T* b, size_t n) {
  return n == 0 || std::memcmp(a, b, n * sizeof(T)) == 0;
}

enum class Mode { kOutOfPlace, kOverA, kOverB };

template <typename T>
void FuzzOne(Reader& reader, uint8_t control, uint64_t seed) {
  const auto& kernels = harness::Kernels<T>();
  const Kernel<T>& kernel = kernels[reader.Byte() % kernels.size()];
  const Shape shape = kernel.shape;
  const bool second = harness::UsesSecondInput(shape);
  const bool uses_alpha = harness::UsesAlpha(shape);
  const bool uses_dalpha = shape == Shape::kPreluGradient;

  // Lengths to 1024; one input in 32 asks for one that splits between
  // threads (and, at most lengths, streams), slower to run.
  const uint16_t length_word = reader.Word();
  const bool large = (control >> 5) == 7 && (length_word >> 14) == 3;
  const size_t n = large ? 16384 + size_t{length_word & 0x3FFFu} * 16
                         : length_word % 1025u;

  const uint8_t offsets = reader.Byte();
  const uint8_t more_offsets = reader.Byte();
  const size_t a_offset = offsets & 15, out_offset = offsets >> 4;
  const size_t b_offset = more_offsets & 15, alpha_offset = more_offsets >> 4;

  Mode mode = static_cast<Mode>(((control >> 1) & 3) % 3);
  if (shape == Shape::kCopy || (mode == Mode::kOverB && !second)) {
    mode = Mode::kOutOfPlace;
  }
  act_set_threads(1 + ((control >> 3) & 3));

  Args<T> args;
  args.n = n;
  const uint16_t aux = reader.Word();
  args.alpha_n = uses_alpha ? aux % 513u : 0;
  args.axis = (aux & 0x8000) != 0 ? aux & 0x7FFFu
                                  : GreatestCommonDivisor(n, aux);
  args.p0 = Parameter(reader);
  args.p1 = Parameter(reader);
  if (shape == Shape::kCopy) args.p0 = aux & 1;

  // Rarely, null pointers.
  const uint8_t nulls = reader.Byte();
  const uint8_t null_mask = nulls >= 0xE0 ? nulls & 31 : 0;
  const uint8_t encoding = reader.Byte();

  // What the header says the status must be; when the arguments break two
  // rules, either error may come first.
  bool invalid = false;
  const int parameters = harness::ParameterCount(shape);
  if (parameters >= 1) {
    invalid |= !std::isfinite(args.p0) ||
               (kernel.zero_invalid && args.p0 == 0);
  }
  if (parameters >= 2) invalid |= !std::isfinite(args.p1);
  if (n != 0) {
    if (shape == Shape::kRows || shape == Shape::kRowsGradient) {
      invalid |= args.axis == 0 || n % args.axis != 0;
    }
    if (uses_alpha) invalid |= args.alpha_n == 0;
  }

  GuardedArray<T> a(n, a_offset * sizeof(T));
  GuardedArray<T> b(second ? n : 0, b_offset * sizeof(T));
  GuardedArray<T> out(n, out_offset * sizeof(T));
  GuardedArray<T> alphas(args.alpha_n, alpha_offset * sizeof(T));
  GuardedArray<T> dalpha(uses_dalpha ? args.alpha_n : 0,
                         alpha_offset * sizeof(T));

  harness::Random random(seed);
  std::vector<T> a_in(n), b_in(b.size()), alpha_in(alphas.size());
  FillArray(reader, encoding, random, a_in.data(), n);
  FillArray(reader, encoding, random, b_in.data(), b_in.size());
  FillArray(reader, encoding, random, alpha_in.data(), alpha_in.size());

  const auto pointers = [&](Mode run_mode) {
    Args<T> call = args;
    call.a = (null_mask & 1) ? nullptr : a.data();
    call.b = !second || (null_mask & 2) ? nullptr : b.data();
    T* const outputs[] = {out.data(), a.data(), b.data()};
    call.out = (null_mask & 4) ? nullptr
                               : outputs[static_cast<int>(run_mode)];
    call.alpha = !uses_alpha || (null_mask & 8) ? nullptr : alphas.data();
    call.dalpha = !uses_dalpha || (null_mask & 16) ? nullptr : dalpha.data();
    return call;
  };

  bool null = false;
  {
    const Args<T> call = pointers(mode);
    if (n != 0) {
      null = call.a == nullptr || call.out == nullptr ||
             (second && call.b == nullptr) ||
             (uses_alpha && call.alpha == nullptr) ||
             (uses_dalpha && call.dalpha == nullptr);
    } else if (uses_dalpha && args.alpha_n != 0) {
      null = call.alpha == nullptr || call.dalpha == nullptr;
    }
  }

  // The reference: the baseline level, out of place.
  std::vector<T> reference;
  unsigned run = 0;
  const auto execute = [&](uint32_t level, Mode run_mode) {
    act_set_isa_level(level);
    ++run;
    if (!a_in.empty()) std::memcpy(a.data(), a_in.data(), n * sizeof(T));
    if (!b_in.empty()) std::memcpy(b.data(), b_in.data(), n * sizeof(T));
    if (!alpha_in.empty()) {
      std::memcpy(alphas.data(), alpha_in.data(), alpha_in.size() * sizeof(T));
    }
    if (run_mode == Mode::kOutOfPlace) harness::FillUnwritten(out.data(), n, run);
    harness::FillUnwritten(dalpha.data(), dalpha.size(), run);
    std::vector<T> out_before(out.data(), out.data() + n);
    std::vector<T> dalpha_before(dalpha.data(), dalpha.data() + dalpha.size());

    for (GuardedArray<T>* array : {&a, &b, &out, &alphas, &dalpha}) {
      array->Arm();
    }
    const Args<T> call = pointers(run_mode);
    const int32_t status = kernel.call(call);
    for (GuardedArray<T>* array : {&a, &b, &out, &alphas, &dalpha}) {
      if (array->Disarm() != 0) {
        Die("act_%s_%s n=%zu level %u: a guard changed", kernel.name,
            harness::TypeSuffix<T>(), n, level);
      }
    }

    const bool status_ok =
        (invalid && status == ACT_INVALID_ARGUMENT) ||
        (null && status == ACT_NULL_POINTER) ||
        (!invalid && !null && status == ACT_OK);
    if (!status_ok) {
      Die("act_%s_%s n=%zu p0=%g p1=%g alpha_n=%zu axis=%zu nulls=%u: "
          "status %d",
          kernel.name, harness::TypeSuffix<T>(), n, args.p0, args.p1,
          args.alpha_n, args.axis, null_mask, status);
    }

    // Inputs other than the output, and on refusal everything, unchanged.
    const bool refused = status != ACT_OK;
    const bool a_written = !refused && run_mode == Mode::kOverA;
    const bool b_written = !refused && run_mode == Mode::kOverB;
    if ((!a_written && !SameBits(a.data(), a_in.data(), n)) ||
        (!b_written && !SameBits(b.data(), b_in.data(), b_in.size())) ||
        !SameBits(alphas.data(), alpha_in.data(), alpha_in.size()) ||
        (refused && !SameBits(out.data(), out_before.data(), n)) ||
        (refused && !SameBits(dalpha.data(), dalpha_before.data(),
                              dalpha.size()))) {
      Die("act_%s_%s n=%zu level %u: an array that is not the output "
          "changed",
          kernel.name, harness::TypeSuffix<T>(), n, level);
    }
    if (refused) return;

    const T* output = call.out;
    std::vector<T> result(output, output + n);
    result.insert(result.end(), dalpha.data(), dalpha.data() + dalpha.size());
    if (run == 1) {
      reference = result;
      return;
    }
    size_t where = 0;
    if (!SameResults(reference.data(), result.data(), result.size(),
                     &where)) {
      Die("act_%s_%s n=%zu p0=%g p1=%g alpha_n=%zu axis=%zu level %u mode "
          "%d: element %zu is 0x%llx, the baseline out of place gave 0x%llx",
          kernel.name, harness::TypeSuffix<T>(), n, args.p0, args.p1,
          args.alpha_n, args.axis, level, static_cast<int>(run_mode), where,
          static_cast<unsigned long long>(harness::BitsOf(result[where])),
          static_cast<unsigned long long>(harness::BitsOf(reference[where])));
    }
  };

  execute(0, Mode::kOutOfPlace);
  for (uint32_t level = 0; level <= act_isa_level_max(); ++level) {
    if (level == 0 && mode == Mode::kOutOfPlace) continue;
    execute(level, mode);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader reader(data, size);
  const uint8_t control = reader.Byte();
  const uint64_t seed = harness::HashBytes(harness::kHashStart, data, size);
  if (control & 1) {
    FuzzOne<double>(reader, control, seed);
  } else {
    FuzzOne<float>(reader, control, seed);
  }
  return 0;
}
