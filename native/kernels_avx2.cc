// The kernels compiled for AVX2 with FMA. The Makefile gives this file its
// instruction-set flags; the dispatcher calls it only where the processor
// has them.

#define ACT_LEVEL avx2
#include "kernels-inl.h"

namespace act {

const KernelTable& Avx2Kernels() {
  static const KernelTable table{"avx2", avx2::MakeSet<float>(),
                                 avx2::MakeSet<double>()};
  return table;
}

}  // namespace act
