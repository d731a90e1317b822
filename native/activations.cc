// The kernels behind activations.h.

#include "activations.h"

namespace {

// ReLU that keeps NaN: a NaN fails `x > 0`, so it must be caught by the
// second comparison rather than folded into zero, as std::fmax would do.
template <typename T>
inline T Relu(T x) {
  return x > T(0) ? x : (x != x ? x : T(0));
}

template <typename T>
int32_t ReluKernel(const T* x, T* y, size_t n) {
  if (n == 0) return ACT_OK;
  if (x == nullptr || y == nullptr) return ACT_NULL_POINTER;

  for (size_t i = 0; i < n; ++i) y[i] = Relu(x[i]);
  return ACT_OK;
}

}  // namespace

extern "C" {

uint32_t act_abi_version(void) { return ACT_ABI_VERSION; }

int32_t act_relu_f32(const float* x, float* y, size_t n) {
  return ReluKernel(x, y, n);
}

int32_t act_relu_f64(const double* x, double* y, size_t n) {
  return ReluKernel(x, y, n);
}

}  // extern "C"
