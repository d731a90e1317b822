// The kernels compiled for AVX-512 (F, DQ, VL and BW). The Makefile gives
// this file its instruction-set flags; the dispatcher calls it only where
// the processor has them.

#define ACT_LEVEL avx512
#include "kernels-inl.h"

namespace act {

const KernelTable& Avx512Kernels() {
  static const KernelTable table{"avx512", avx512::MakeSet<float>(),
                                 avx512::MakeSet<double>()};
  return table;
}

}  // namespace act
