// The kernels compiled for the baseline level: what every processor of the
// target architecture runs, SSE2 on x86-64 and NEON on aarch64.

#define ACT_LEVEL baseline
#include "kernels-inl.h"

namespace act {

const KernelTable& BaselineKernels() {
#if defined(__aarch64__)
  static const KernelTable table{"neon", baseline::MakeSet<float>(),
                                 baseline::MakeSet<double>()};
#else
  static const KernelTable table{"baseline", baseline::MakeSet<float>(),
                                 baseline::MakeSet<double>()};
#endif
  return table;
}

}  // namespace act
