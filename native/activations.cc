// The exported functions of activations.h: each checks its arguments, then
// splits the work between threads and runs the kernels of the selected
// instruction-set level (kernels.h) on the parts.

#include "activations.h"

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "kernels.h"

namespace {

using act::KernelSet;
using act::KernelTable;

// ---------------------------------------------------------------------------
// Instruction-set levels

constexpr uint32_t kMaxThreads = 256;

// The tables in level order; entries past the processor's highest level are
// never used.
const KernelTable* LevelTable(uint32_t level) {
  switch (level) {
    case 0:
      return &act::BaselineKernels();
#if defined(__x86_64__)
    case 1:
      return &act::Avx2Kernels();
    case 2:
      return &act::Avx512Kernels();
#endif
    default:
      return nullptr;
  }
}

uint32_t DetectMaxLevel() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") &&
                    __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") &&
                      __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512vl") &&
                      __builtin_cpu_supports("avx512bw");
  return avx512 ? 2 : (avx2 ? 1 : 0);
#else
  return 0;
#endif
}

uint32_t MaxLevel() {
  static const uint32_t max_level = DetectMaxLevel();
  return max_level;
}

// The level named by ACTIVATIONS_ISA, or the highest the processor runs.
uint32_t InitialLevel() {
  uint32_t level = MaxLevel();
  const char* requested = std::getenv("ACTIVATIONS_ISA");
  if (requested == nullptr) return level;

  for (uint32_t candidate = 0; candidate <= MaxLevel(); ++candidate) {
    if (std::strcmp(requested, LevelTable(candidate)->name) == 0) {
      level = candidate;
    }
  }
  return level;
}

std::atomic<uint32_t>& CurrentLevel() {
  static std::atomic<uint32_t> level{InitialLevel()};
  return level;
}

const KernelTable& Table() {
  return *LevelTable(CurrentLevel().load(std::memory_order_relaxed));
}

template <typename T>
const KernelSet<T>& Kernels();
template <>
const KernelSet<float>& Kernels<float>() {
  return Table().f32;
}
template <>
const KernelSet<double>& Kernels<double>() {
  return Table().f64;
}

// ---------------------------------------------------------------------------
// Threads

uint32_t DefaultThreads() {
  const unsigned count = std::thread::hardware_concurrency();
  if (count == 0) return 1;
  return count < kMaxThreads ? count : kMaxThreads;
}

std::atomic<uint32_t> g_threads{DefaultThreads()};

// A fixed set of workers that run the parts of one job at a time; the
// calling thread runs part 0. Workers are made on first need and live as
// long as the process: the pool is never destroyed, so no thread is joined
// while the process exits (the library is linked with -z nodelete, so it is
// never unloaded under them either).
class ThreadPool {
 public:
  using Task = void (*)(void* context, size_t part);

  // Runs task(context, part) for every part in [0, parts). Returns false,
  // having run nothing, when another caller holds the pool.
  bool TryRun(Task task, void* context, size_t parts) {
    std::unique_lock<std::mutex> submit(submit_, std::try_to_lock);
    if (!submit.owns_lock()) return false;
    EnsureWorkers(parts - 1);

    {
      std::lock_guard<std::mutex> lock(state_);
      task_ = task;
      context_ = context;
      parts_ = parts;
      pending_ = parts - 1;
      ++generation_;
    }
    wake_.notify_all();

    task(context, 0);

    std::unique_lock<std::mutex> lock(state_);
    done_.wait(lock, [this] { return pending_ == 0; });
    return true;
  }

 private:
  void EnsureWorkers(size_t count) {
    while (workers_.size() < count) {
      const size_t part = workers_.size() + 1;
      uint64_t seen;
      {
        std::lock_guard<std::mutex> lock(state_);
        seen = generation_;
      }
      workers_.emplace_back([this, part, seen] { Work(part, seen); });
      workers_.back().detach();
    }
  }

  void Work(size_t part, uint64_t seen) {
    std::unique_lock<std::mutex> lock(state_);
    for (;;) {
      wake_.wait(lock, [this, seen] { return generation_ != seen; });
      seen = generation_;
      if (part >= parts_) continue;

      const Task task = task_;
      void* const context = context_;
      lock.unlock();
      task(context, part);
      lock.lock();
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::mutex submit_;
  std::mutex state_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  uint64_t generation_ = 0;
  Task task_ = nullptr;
  void* context_ = nullptr;
  size_t parts_ = 0;
  size_t pending_ = 0;
};

ThreadPool& Pool() {
  static ThreadPool* const pool = new ThreadPool();
  return *pool;
}

// Elements per thread below which a split costs more than it saves,
// measured on a 2-core x86-64 (see README.md): memory-bound functions need
// larger parts than those built on exp.
constexpr size_t kCheapGrain = size_t{1} << 16;
constexpr size_t kHeavyGrain = size_t{1} << 13;

// Parts start on 64-byte boundaries of the arrays' shared indexing, so that
// no two threads write the same cache line.
constexpr size_t kPartAlignment = 16;

// Calls body(begin, end) over [0, units) in parts of at least `grain` units,
// on up to act_get_threads() threads.
template <typename Body>
void ParallelFor(size_t units, size_t grain, size_t alignment, Body body) {
  size_t parts = units / grain;
  const size_t threads = g_threads.load(std::memory_order_relaxed);
  if (parts > threads) parts = threads;
  if (parts <= 1) {
    body(size_t{0}, units);
    return;
  }

  size_t per_part = (units + parts - 1) / parts;
  per_part = (per_part + alignment - 1) / alignment * alignment;
  struct Job {
    Body* body;
    size_t units;
    size_t per_part;
  } job{&body, units, per_part};

  const auto run_part = [](void* context, size_t part) {
    const Job& j = *static_cast<Job*>(context);
    const size_t begin = part * j.per_part;
    if (begin >= j.units) return;
    const size_t end = begin + j.per_part < j.units ? begin + j.per_part
                                                     : j.units;
    (*j.body)(begin, end);
  };
  if (!Pool().TryRun(run_part, &job, parts)) body(size_t{0}, units);
}

// ---------------------------------------------------------------------------
// Argument checks and the generic entry points

bool AnyNull(const void* a, const void* b) {
  return a == nullptr || b == nullptr;
}

bool AnyNull(const void* a, const void* b, const void* c) {
  return a == nullptr || b == nullptr || c == nullptr;
}

template <typename T, typename Kernel>
int32_t RunUnary(const T* x, T* y, size_t n, size_t grain, Kernel kernel) {
  if (n == 0) return ACT_OK;
  if (AnyNull(x, y)) return ACT_NULL_POINTER;
  ParallelFor(n, grain, kPartAlignment, [=](size_t begin, size_t end) {
    kernel(x + begin, y + begin, end - begin);
  });
  return ACT_OK;
}

template <typename T, typename Kernel>
int32_t RunGradient(const T* dy, const T* x, T* dx, size_t n, size_t grain,
                    Kernel kernel) {
  if (n == 0) return ACT_OK;
  if (AnyNull(dy, x, dx)) return ACT_NULL_POINTER;
  ParallelFor(n, grain, kPartAlignment, [=](size_t begin, size_t end) {
    kernel(dy + begin, x + begin, dx + begin, end - begin);
  });
  return ACT_OK;
}

// Row functions split by whole rows.
template <typename T, typename Kernel>
int32_t RunRows(const T* a, const T* b, T* out, size_t n, size_t axis_length,
                Kernel kernel) {
  if (n == 0) return ACT_OK;
  if (axis_length == 0 || n % axis_length != 0) return ACT_INVALID_ARGUMENT;
  if (AnyNull(a, b, out)) return ACT_NULL_POINTER;

  const size_t rows = n / axis_length;
  const size_t grain = kHeavyGrain / axis_length + 1;
  ParallelFor(rows, grain, 1, [=](size_t begin, size_t end) {
    const size_t offset = begin * axis_length;
    kernel(a + offset, b + offset, out + offset, (end - begin) * axis_length);
  });
  return ACT_OK;
}

bool Finite(double p) { return std::isfinite(p); }

template <typename T>
int32_t Prelu(const T* x, T* y, size_t n, const T* alpha, size_t alpha_n) {
  if (n == 0) return ACT_OK;
  if (AnyNull(x, y, alpha)) return ACT_NULL_POINTER;
  if (alpha_n == 0) return ACT_INVALID_ARGUMENT;

  // Parts hold whole rows of alpha_n, so every part starts at slope 0.
  const size_t rows = (n + alpha_n - 1) / alpha_n;
  const size_t grain = kCheapGrain / alpha_n + 1;
  const auto kernel = Kernels<T>().prelu;
  ParallelFor(rows, grain, 1, [=](size_t begin, size_t end) {
    const size_t first = begin * alpha_n;
    const size_t last = end * alpha_n < n ? end * alpha_n : n;
    kernel(x + first, y + first, last - first, alpha, alpha_n);
  });
  return ACT_OK;
}

template <typename T>
int32_t PreluGrad(const T* dy, const T* x, T* dx, size_t n, const T* alpha,
                  size_t alpha_n, T* dalpha) {
  if (alpha_n == 0) return n == 0 ? ACT_OK : ACT_INVALID_ARGUMENT;
  if (AnyNull(alpha, dalpha)) return ACT_NULL_POINTER;
  if (n != 0 && AnyNull(dy, x, dx)) return ACT_NULL_POINTER;

  // One thread: the slopes' sums would otherwise need a reduction across
  // threads, and this gradient is rarely large.
  Kernels<T>().prelu_grad(dy, x, dx, n, alpha, alpha_n, dalpha);
  return ACT_OK;
}

template <typename T>
int32_t Copy(const T* x, T* y, size_t n, int32_t streaming) {
  if (n == 0) return ACT_OK;
  if (AnyNull(x, y)) return ACT_NULL_POINTER;
  const auto kernel = Kernels<T>().copy;
  ParallelFor(n, kCheapGrain, kPartAlignment, [=](size_t begin, size_t end) {
    kernel(x + begin, y + begin, end - begin, streaming != 0);
  });
  return ACT_OK;
}

}  // namespace

extern "C" {

uint32_t act_abi_version(void) { return ACT_ABI_VERSION; }

const char* act_isa_name(void) { return Table().name; }

uint32_t act_isa_level(void) { return CurrentLevel().load(); }

uint32_t act_isa_level_max(void) { return MaxLevel(); }

int32_t act_set_isa_level(uint32_t level) {
  if (level > MaxLevel()) return ACT_INVALID_ARGUMENT;
  CurrentLevel().store(level);
  return ACT_OK;
}

int32_t act_set_threads(uint32_t count) {
  if (count < 1 || count > kMaxThreads) return ACT_INVALID_ARGUMENT;
  g_threads.store(count);
  return ACT_OK;
}

uint32_t act_get_threads(void) { return g_threads.load(); }

int32_t act_copy_f32(const float* x, float* y, size_t n, int32_t streaming) {
  return Copy(x, y, n, streaming);
}

int32_t act_copy_f64(const double* x, double* y, size_t n,
                     int32_t streaming) {
  return Copy(x, y, n, streaming);
}

// The macros below define the float and double entry points of one
// function from its kernels' names; `grain` is the parallel grain.

#define ACT_DEFINE_PLAIN(name, grain)                                     \
  int32_t act_##name##_f32(const float* x, float* y, size_t n) {          \
    return RunUnary(x, y, n, grain, Kernels<float>().name);               \
  }                                                                       \
  int32_t act_##name##_f64(const double* x, double* y, size_t n) {        \
    return RunUnary(x, y, n, grain, Kernels<double>().name);              \
  }                                                                       \
  int32_t act_##name##_grad_f32(const float* dy, const float* x,          \
                                float* dx, size_t n) {                    \
    return RunGradient(dy, x, dx, n, grain, Kernels<float>().name##_grad); \
  }                                                                       \
  int32_t act_##name##_grad_f64(const double* dy, const double* x,        \
                                double* dx, size_t n) {                   \
    return RunGradient(dy, x, dx, n, grain,                               \
                       Kernels<double>().name##_grad);                    \
  }

// `valid` is the condition on the parameter p beyond being finite.
#define ACT_DEFINE_WITH_ONE(name, grain, valid)                             \
  int32_t act_##name##_f32(const float* x, float* y, size_t n, double p) {  \
    if (!Finite(p) || !(valid)) return ACT_INVALID_ARGUMENT;                \
    const auto kernel = Kernels<float>().name;                              \
    return RunUnary(x, y, n, grain,                                         \
                    [=](const float* a, float* b, size_t m) {               \
                      kernel(a, b, m, p);                                   \
                    });                                                     \
  }                                                                         \
  int32_t act_##name##_f64(const double* x, double* y, size_t n,            \
                           double p) {                                      \
    if (!Finite(p) || !(valid)) return ACT_INVALID_ARGUMENT;                \
    const auto kernel = Kernels<double>().name;                             \
    return RunUnary(x, y, n, grain,                                         \
                    [=](const double* a, double* b, size_t m) {             \
                      kernel(a, b, m, p);                                   \
                    });                                                     \
  }                                                                         \
  int32_t act_##name##_grad_f32(const float* dy, const float* x,            \
                                float* dx, size_t n, double p) {            \
    if (!Finite(p) || !(valid)) return ACT_INVALID_ARGUMENT;                \
    const auto kernel = Kernels<float>().name##_grad;                       \
    return RunGradient(dy, x, dx, n, grain,                                 \
                       [=](const float* a, const float* b, float* c,        \
                           size_t m) { kernel(a, b, c, m, p); });           \
  }                                                                         \
  int32_t act_##name##_grad_f64(const double* dy, const double* x,          \
                                double* dx, size_t n, double p) {           \
    if (!Finite(p) || !(valid)) return ACT_INVALID_ARGUMENT;                \
    const auto kernel = Kernels<double>().name##_grad;                      \
    return RunGradient(dy, x, dx, n, grain,                                 \
                       [=](const double* a, const double* b, double* c,     \
                           size_t m) { kernel(a, b, c, m, p); });           \
  }

ACT_DEFINE_PLAIN(relu, kCheapGrain)
ACT_DEFINE_PLAIN(relu6, kCheapGrain)
ACT_DEFINE_PLAIN(selu, kHeavyGrain)
ACT_DEFINE_PLAIN(gelu, kHeavyGrain)
ACT_DEFINE_PLAIN(gelu_tanh, kHeavyGrain)
ACT_DEFINE_PLAIN(mish, kHeavyGrain)
ACT_DEFINE_PLAIN(sigmoid, kHeavyGrain)
ACT_DEFINE_PLAIN(hard_swish, kCheapGrain)
ACT_DEFINE_PLAIN(tanh, kHeavyGrain)
ACT_DEFINE_PLAIN(softsign, kCheapGrain)

ACT_DEFINE_WITH_ONE(leaky_relu, kCheapGrain, true)
ACT_DEFINE_WITH_ONE(elu, kHeavyGrain, true)
ACT_DEFINE_WITH_ONE(celu, kHeavyGrain, p != 0)
ACT_DEFINE_WITH_ONE(silu, kHeavyGrain, true)
ACT_DEFINE_WITH_ONE(softplus, kHeavyGrain, p != 0)

int32_t act_hard_sigmoid_f32(const float* x, float* y, size_t n, double alpha,
                             double beta) {
  if (!Finite(alpha) || !Finite(beta)) return ACT_INVALID_ARGUMENT;
  const auto kernel = Kernels<float>().hard_sigmoid;
  return RunUnary(x, y, n, kCheapGrain,
                  [=](const float* a, float* b, size_t m) {
                    kernel(a, b, m, alpha, beta);
                  });
}
int32_t act_hard_sigmoid_f64(const double* x, double* y, size_t n,
                             double alpha, double beta) {
  if (!Finite(alpha) || !Finite(beta)) return ACT_INVALID_ARGUMENT;
  const auto kernel = Kernels<double>().hard_sigmoid;
  return RunUnary(x, y, n, kCheapGrain,
                  [=](const double* a, double* b, size_t m) {
                    kernel(a, b, m, alpha, beta);
                  });
}
int32_t act_hard_sigmoid_grad_f32(const float* dy, const float* x, float* dx,
                                  size_t n, double alpha, double beta) {
  if (!Finite(alpha) || !Finite(beta)) return ACT_INVALID_ARGUMENT;
  const auto kernel = Kernels<float>().hard_sigmoid_grad;
  return RunGradient(dy, x, dx, n, kCheapGrain,
                     [=](const float* a, const float* b, float* c, size_t m) {
                       kernel(a, b, c, m, alpha, beta);
                     });
}
int32_t act_hard_sigmoid_grad_f64(const double* dy, const double* x,
                                  double* dx, size_t n, double alpha,
                                  double beta) {
  if (!Finite(alpha) || !Finite(beta)) return ACT_INVALID_ARGUMENT;
  const auto kernel = Kernels<double>().hard_sigmoid_grad;
  return RunGradient(
      dy, x, dx, n, kCheapGrain,
      [=](const double* a, const double* b, double* c, size_t m) {
        kernel(a, b, c, m, alpha, beta);
      });
}

int32_t act_prelu_f32(const float* x, float* y, size_t n, const float* alpha,
                      size_t alpha_n) {
  return Prelu(x, y, n, alpha, alpha_n);
}
int32_t act_prelu_f64(const double* x, double* y, size_t n,
                      const double* alpha, size_t alpha_n) {
  return Prelu(x, y, n, alpha, alpha_n);
}
int32_t act_prelu_grad_f32(const float* dy, const float* x, float* dx,
                           size_t n, const float* alpha, size_t alpha_n,
                           float* dalpha) {
  return PreluGrad(dy, x, dx, n, alpha, alpha_n, dalpha);
}
int32_t act_prelu_grad_f64(const double* dy, const double* x, double* dx,
                           size_t n, const double* alpha, size_t alpha_n,
                           double* dalpha) {
  return PreluGrad(dy, x, dx, n, alpha, alpha_n, dalpha);
}

// The forward row functions read x twice, so a, b are x and x.
#define ACT_DEFINE_ROWS(name)                                                \
  int32_t act_##name##_f32(const float* x, float* y, size_t n,               \
                           size_t axis_length) {                             \
    const auto kernel = Kernels<float>().name;                               \
    return RunRows(x, x, y, n, axis_length,                                  \
                   [=](const float* a, const float*, float* out, size_t m) { \
                     kernel(a, out, m, axis_length);                         \
                   });                                                       \
  }                                                                          \
  int32_t act_##name##_f64(const double* x, double* y, size_t n,             \
                           size_t axis_length) {                             \
    const auto kernel = Kernels<double>().name;                              \
    return RunRows(                                                          \
        x, x, y, n, axis_length,                                             \
        [=](const double* a, const double*, double* out, size_t m) {         \
          kernel(a, out, m, axis_length);                                    \
        });                                                                  \
  }                                                                          \
  int32_t act_##name##_grad_f32(const float* dy, const float* y, float* dx,  \
                                size_t n, size_t axis_length) {              \
    const auto kernel = Kernels<float>().name##_grad;                        \
    return RunRows(dy, y, dx, n, axis_length,                                \
                   [=](const float* a, const float* b, float* out,           \
                       size_t m) { kernel(a, b, out, m, axis_length); });    \
  }                                                                          \
  int32_t act_##name##_grad_f64(const double* dy, const double* y,           \
                                double* dx, size_t n, size_t axis_length) {  \
    const auto kernel = Kernels<double>().name##_grad;                       \
    return RunRows(dy, y, dx, n, axis_length,                                \
                   [=](const double* a, const double* b, double* out,        \
                       size_t m) { kernel(a, b, out, m, axis_length); });    \
  }

ACT_DEFINE_ROWS(softmax)
ACT_DEFINE_ROWS(log_softmax)

}  // extern "C"
