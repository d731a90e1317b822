// The exported functions of activations.h: each checks its arguments, then
// splits the work between threads and runs the kernels of the selected
// instruction-set level (kernels.h) on the parts.

#include "activations.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

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

// The current level's table, kept so that a call finds its kernels with one
// load: the function-local statics behind CurrentLevel and LevelTable each
// cost a guard check and a call, a fair part of a call on a few elements.
std::atomic<const KernelTable*> g_table{nullptr};

const KernelTable& Table() {
  const KernelTable* table = g_table.load(std::memory_order_acquire);
  if (table != nullptr) return *table;

  // Only the first call gets here; act_set_isa_level may have stored a
  // table meanwhile, which then wins.
  const KernelTable* initial = LevelTable(CurrentLevel().load());
  if (g_table.compare_exchange_strong(table, initial)) return *initial;
  return *table;
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

// How long a worker keeps polling for the next job after one ends, and the
// caller for its helpers to finish, before each sleeps on a condition
// variable. Waking a sleeping thread takes a system call and then the
// scheduler's time, 25 us and more on a 2-core virtual machine, longer than
// a whole job of a few hundred thousand elements; polling for a while lets a
// series of calls hand parts over in well under a microsecond instead.
constexpr auto kSpinTime = std::chrono::microseconds(100);

// One wait inside a polling loop: a pause instruction for the first polls,
// then a yield, so that a poller that shares its core with the thread it
// waits for lets that thread run. Without the yield, a worker woken onto
// the caller's core could spin away the caller's time slice.
inline void Backoff(unsigned polls) {
  if (polls > 256) {
    std::this_thread::yield();
    return;
  }
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// A fixed set of workers that help the calling thread with the parts of one
// job at a time. Parts are claimed one by one from a shared ticket, by the
// caller too, so a worker that the system has not scheduled yet delays
// nothing: the caller runs the parts nobody took. Workers are made on first
// need and live as long as the process: the pool is never destroyed, so no
// thread is joined while the process exits (the library is linked with
// -z nodelete, so it is never unloaded under them either).
class ThreadPool {
 public:
  using Task = void (*)(void* context, size_t part);

  // The most parts one job may have.
  static constexpr size_t kMaxParts = size_t{1} << 16;

  // Runs task(context, part) for every part in [0, parts), on the calling
  // thread and up to `helpers` workers, and returns when all are done.
  // Returns false, having run nothing, when another caller holds the pool.
  bool TryRun(Task task, void* context, size_t parts, size_t helpers) {
    std::unique_lock<std::mutex> submit(submit_, std::try_to_lock);
    if (!submit.owns_lock()) return false;
    EnsureWorkers(helpers);

    task_.store(task, std::memory_order_relaxed);
    context_.store(context, std::memory_order_relaxed);
    parts_.store(parts, std::memory_order_relaxed);
    helpers_.store(helpers, std::memory_order_relaxed);
    finished_.store(0, std::memory_order_relaxed);
    ++generation_;
    // Sequentially consistent, against the check of sleeping_ that follows
    // and the one a worker makes before it sleeps (see Await).
    ticket_.store(generation_ << kPartBits);
    if (sleeping_.load() != 0) {
      std::lock_guard<std::mutex> lock(wake_mutex_);
      wake_.notify_all();
    }

    // The caller owns the current generation, so it may take parts with a
    // plain increment; it stops at the first number past the end.
    for (;;) {
      const size_t part = ticket_.fetch_add(1) & kPartMask;
      if (part >= parts) break;
      task(context, part);
      finished_.fetch_add(1, std::memory_order_release);
    }
    WaitUntilFinished(parts);
    return true;
  }

 private:
  static constexpr unsigned kPartBits = 20;
  static constexpr uint64_t kPartMask = (uint64_t{1} << kPartBits) - 1;

  void EnsureWorkers(size_t count) {
    while (workers_ < count) {
      ++workers_;
      const size_t index = workers_;
      const uint64_t seen = generation_;
      std::thread([this, index, seen] { Work(index, seen); }).detach();
    }
  }

  // Worker `index` (1 for the first) helps every job that asks for at
  // least `index` helpers.
  void Work(size_t index, uint64_t seen) {
    for (;;) {
      seen = Await(seen);
      if (index <= helpers_.load(std::memory_order_relaxed)) Help(seen);
    }
  }

  // Returns the generation of the next job after `seen`: polls for
  // kSpinTime, then sleeps until a caller wakes it.
  uint64_t Await(uint64_t seen) {
    const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
    for (unsigned polls = 1;; ++polls) {
      const uint64_t generation =
          ticket_.load(std::memory_order_acquire) >> kPartBits;
      if (generation != seen) return generation;
      if (polls % 64 == 0 && std::chrono::steady_clock::now() > deadline) {
        break;
      }
      Backoff(polls);
    }

    std::unique_lock<std::mutex> lock(wake_mutex_);
    sleeping_.fetch_add(1);
    uint64_t generation;
    while ((generation = ticket_.load() >> kPartBits) == seen) {
      wake_.wait(lock);
    }
    sleeping_.fetch_sub(1);
    return generation;
  }

  // Runs parts of job `generation` until none is left. A part is claimed by
  // moving the ticket from (generation, part) to (generation, part + 1);
  // the job's fields are read between seeing the generation and claiming,
  // and a successful claim proves that no later job has replaced them,
  // since a job only ends once every one of its parts has been claimed.
  void Help(uint64_t generation) {
    for (;;) {
      uint64_t ticket = ticket_.load(std::memory_order_acquire);
      if ((ticket >> kPartBits) != generation) return;
      const Task task = task_.load(std::memory_order_relaxed);
      void* const context = context_.load(std::memory_order_relaxed);
      const size_t parts = parts_.load(std::memory_order_relaxed);
      const size_t part = ticket & kPartMask;
      if (part >= parts) return;
      if (!ticket_.compare_exchange_weak(ticket, ticket + 1,
                                         std::memory_order_acq_rel)) {
        continue;
      }

      task(context, part);
      // Sequentially consistent, against the caller's check before it
      // sleeps (see WaitUntilFinished).
      if (finished_.fetch_add(1) + 1 == parts && caller_sleeping_.load()) {
        std::lock_guard<std::mutex> lock(done_mutex_);
        done_.notify_one();
      }
    }
  }

  void WaitUntilFinished(size_t parts) {
    const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
    for (unsigned polls = 1;; ++polls) {
      if (finished_.load(std::memory_order_acquire) == parts) return;
      if (polls % 64 == 0 && std::chrono::steady_clock::now() > deadline) {
        break;
      }
      Backoff(polls);
    }

    std::unique_lock<std::mutex> lock(done_mutex_);
    caller_sleeping_.store(true);
    while (finished_.load() != parts) done_.wait(lock);
    caller_sleeping_.store(false);
  }

  // Held by the caller whose job the pool runs.
  std::mutex submit_;
  // Written only under submit_.
  uint64_t generation_ = 0;
  size_t workers_ = 0;

  // The current job, published by the release of ticket_.
  std::atomic<Task> task_{nullptr};
  std::atomic<void*> context_{nullptr};
  std::atomic<size_t> parts_{0};
  std::atomic<size_t> helpers_{0};
  // The job's generation in the high bits, its next unclaimed part in the
  // low kPartBits.
  alignas(64) std::atomic<uint64_t> ticket_{0};
  alignas(64) std::atomic<size_t> finished_{0};

  alignas(64) std::atomic<unsigned> sleeping_{0};
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::atomic<bool> caller_sleeping_{false};
  std::mutex done_mutex_;
  std::condition_variable done_;
};

ThreadPool& Pool() {
  static ThreadPool* const pool = new ThreadPool();
  return *pool;
}

// Elements per part below which a split costs more than it saves. Median
// of many single calls, on 1 and on 2 threads in turns, on a 2-core x86-64
// (AVX-512) given both cores, through a build that splits every call into
// 8 parts; the ratio is the time on 1 thread over the time on 2, so below 1
// the split loses (repeated runs moved a ratio by up to 0.1, and relu's at
// 32768 once reached 1.5):
//
//   elements   1024  2048  4096  8192  16384  32768  65536  131072
//   sigmoid    1.14  1.45  1.64  1.83   1.91   1.92   1.96
//   relu                   0.47  0.76   0.92   0.92   1.55    1.85
//   leakyRelu              0.88  0.94   0.97   1.42   1.75    1.91
//
// A handover costs about 0.4 us. Functions built on exp (1.2 to 3 ns an
// element on one core) gain from 2048 elements, those that only move
// memory or do a few operations (0.1 to 0.4 ns an element) from 32768 to
// 65536. A split takes at least two grains, and the grains leave a margin
// for a machine busy with other work: 2048 elements for the heavy
// functions (a split from 4096, 1.64 times as fast) and 32768 for the
// cheap ones (from 65536, 1.55 to 1.75 times as fast).
constexpr size_t kCheapGrain = size_t{1} << 15;
constexpr size_t kHeavyGrain = size_t{1} << 11;

// Parts start on 64-byte boundaries of the arrays' shared indexing, so that
// no two threads write the same cache line.
constexpr size_t kPartAlignment = 16;

// Outputs of at least this many bytes are written with streaming stores
// (see g_stream_outputs in kernels.h). On a 2-core x86-64 with 32 MiB of L3,
// ReLU on one thread took, best of 15 calls, in a build made to use
// ordinary stores at every size and in one made to stream at every size:
//
//   output    ordinary  streaming
//   2.1 MB     68 us     79 us
//   6.3 MB    218 us    255 us
//   8.4 MB    502 us    344 us
//   16.8 MB  1403 us    790 us
//   67 MB    8141 us   4410 us
//
// The crossover, between 6.3 and 8.4 MB, is where input and output fill
// half of the L3. The size is fixed rather than read from the system,
// because under virtualization glibc reports the whole host's L3 (320 MiB
// on that machine).
constexpr size_t kStreamMinBytes = size_t{8} << 20;

// In place, the output's lines are in the cache already, read as input, and
// a streaming store has to evict each one; on the same machine ReLU in
// place took, with ordinary stores and with streaming ones:
//
//   output   1 thread         2 threads
//   8.4 MB    154 /  429 us    154 /  422 us
//   33.6 MB  1060 / 1740 us   1010 /  898 us
//   67 MB    2566 / 3644 us   2580 / 1786 us
//
// so in place streams only from 32 MiB, and only on more than one thread.
constexpr size_t kInPlaceStreamMinBytes = size_t{32} << 20;

template <typename T>
bool ShouldStream(size_t n, bool in_place) {
  const size_t bytes = n * sizeof(T);
  if (!in_place) return bytes >= kStreamMinBytes;
  return bytes >= kInPlaceStreamMinBytes &&
         g_threads.load(std::memory_order_relaxed) > 1;
}

// Parts per thread: more than one, so that a thread that starts late, or
// whose core is busy with another process, leaves its share to the others
// in pieces small enough to even out. Through the sizes in the table above,
// a split into 2 parts instead of 8 lost up to half of the gain.
constexpr size_t kPartsPerThread = 4;

// Calls body(begin, end) over [0, units) in parts of at least `grain` units,
// on up to act_get_threads() threads, with g_stream_outputs set to `stream`
// on each of them.
template <typename Body>
void ParallelFor(size_t units, size_t grain, size_t alignment, bool stream,
                 Body body) {
  act::g_stream_outputs = stream;
  const size_t threads = g_threads.load(std::memory_order_relaxed);
  if (threads <= 1 || units / grain < 2) {
    body(size_t{0}, units);
    return;
  }

  // Parts of at least a quarter grain: the grain says when a split pays,
  // and parts smaller than it even out the threads' shares.
  const size_t smallest_part = grain / kPartsPerThread + 1;
  size_t parts = units / smallest_part;
  if (parts > threads * kPartsPerThread) parts = threads * kPartsPerThread;
  if (parts > ThreadPool::kMaxParts) parts = ThreadPool::kMaxParts;
  size_t per_part = (units + parts - 1) / parts;
  per_part = (per_part + alignment - 1) / alignment * alignment;
  parts = (units + per_part - 1) / per_part;
  const size_t helpers = (threads < parts ? threads : parts) - 1;

  struct Job {
    Body* body;
    size_t units;
    size_t per_part;
    bool stream;
  } job{&body, units, per_part, stream};
  const auto run_part = [](void* context, size_t part) {
    const Job& j = *static_cast<Job*>(context);
    act::g_stream_outputs = j.stream;
    const size_t begin = part * j.per_part;
    const size_t end = begin + j.per_part < j.units ? begin + j.per_part
                                                     : j.units;
    (*j.body)(begin, end);
  };
  if (!Pool().TryRun(run_part, &job, parts, helpers)) body(size_t{0}, units);
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
  ParallelFor(n, grain, kPartAlignment, ShouldStream<T>(n, x == y),
              [=](size_t begin, size_t end) {
                kernel(x + begin, y + begin, end - begin);
              });
  return ACT_OK;
}

template <typename T, typename Kernel>
int32_t RunGradient(const T* dy, const T* x, T* dx, size_t n, size_t grain,
                    Kernel kernel) {
  if (n == 0) return ACT_OK;
  if (AnyNull(dy, x, dx)) return ACT_NULL_POINTER;
  ParallelFor(n, grain, kPartAlignment,
              ShouldStream<T>(n, dx == dy || dx == x),
              [=](size_t begin, size_t end) {
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
  ParallelFor(rows, grain, 1, false, [=](size_t begin, size_t end) {
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
  ParallelFor(rows, grain, 1, ShouldStream<T>(n, x == y),
              [=](size_t begin, size_t end) {
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
  ParallelFor(n, kCheapGrain, kPartAlignment, false,
              [=](size_t begin, size_t end) {
                kernel(x + begin, y + begin, end - begin, streaming != 0);
              });
  return ACT_OK;
}

}  // namespace

__thread bool act::g_stream_outputs ACT_TLS_MODEL = false;

extern "C" {

uint32_t act_abi_version(void) { return ACT_ABI_VERSION; }

const char* act_isa_name(void) { return Table().name; }

uint32_t act_isa_level(void) { return CurrentLevel().load(); }

uint32_t act_isa_level_max(void) { return MaxLevel(); }

int32_t act_set_isa_level(uint32_t level) {
  if (level > MaxLevel()) return ACT_INVALID_ARGUMENT;
  CurrentLevel().store(level);
  g_table.store(LevelTable(level), std::memory_order_release);
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
