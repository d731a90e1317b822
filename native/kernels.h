// The table of kernels that one instruction-set level provides. The same
// source, kernels-inl.h, is compiled once per level with that level's
// compiler flags; activations.cc picks a table when the library loads and
// calls through it.
//
// A kernel here only computes: the exported functions in activations.cc
// check their arguments and split the work between threads before they call
// one. Lengths are counts of elements; pointers are never null unless the
// length is 0.

#ifndef ACTIVATIONS_KERNELS_H_
#define ACTIVATIONS_KERNELS_H_

#include <cstddef>

namespace act {

// The elementwise functions without a parameter, then those with one, by
// their ABI names.
#define ACT_PLAIN_FUNCTIONS(X) \
  X(relu)                      \
  X(relu6)                     \
  X(selu)                      \
  X(gelu)                      \
  X(gelu_tanh)                 \
  X(mish)                      \
  X(sigmoid)                   \
  X(hard_swish)                \
  X(tanh)                      \
  X(softsign)

#define ACT_ONE_PARAMETER_FUNCTIONS(X) \
  X(leaky_relu)                        \
  X(elu)                               \
  X(celu)                              \
  X(silu)                              \
  X(softplus)

template <typename T>
struct KernelSet {
  using Unary = void (*)(const T* x, T* y, size_t n);
  using Gradient = void (*)(const T* dy, const T* x, T* dx, size_t n);
  using UnaryWith = void (*)(const T* x, T* y, size_t n, double p);
  using GradientWith = void (*)(const T* dy, const T* x, T* dx, size_t n,
                                double p);
  using Rows = void (*)(const T* x, T* y, size_t n, size_t axis_length);
  using RowsGradient = void (*)(const T* dy, const T* y, T* dx, size_t n,
                                size_t axis_length);

#define ACT_PLAIN_FIELDS(name) \
  Unary name;                  \
  Gradient name##_grad;
  ACT_PLAIN_FUNCTIONS(ACT_PLAIN_FIELDS)
#undef ACT_PLAIN_FIELDS

#define ACT_ONE_PARAMETER_FIELDS(name) \
  UnaryWith name;                      \
  GradientWith name##_grad;
  ACT_ONE_PARAMETER_FUNCTIONS(ACT_ONE_PARAMETER_FIELDS)
#undef ACT_ONE_PARAMETER_FIELDS

  void (*hard_sigmoid)(const T* x, T* y, size_t n, double alpha,
                       double beta);
  void (*hard_sigmoid_grad)(const T* dy, const T* x, T* dx, size_t n,
                            double alpha, double beta);
  void (*prelu)(const T* x, T* y, size_t n, const T* alpha, size_t alpha_n);
  void (*prelu_grad)(const T* dy, const T* x, T* dx, size_t n,
                     const T* alpha, size_t alpha_n, T* dalpha);
  Rows softmax;
  RowsGradient softmax_grad;
  Rows log_softmax;
  RowsGradient log_softmax_grad;

  // y = x, with stores that bypass the cache when `streaming` is set: the
  // copy the benchmarks measure ReLU against.
  void (*copy)(const T* x, T* y, size_t n, bool streaming);
};

struct KernelTable {
  // The level's name, as act_isa_name() reports it.
  const char* name;
  KernelSet<float> f32;
  KernelSet<double> f64;
};

// Whether the kernels running on the calling thread write their outputs
// with streaming stores, which skip reading each line of the output before
// writing it and leave the cache to the input. The dispatcher decides once
// per call, from the size of the whole output, and sets this on each thread
// before it runs a part of that call there: a part alone cannot tell
// whether its array outgrows the cache. Only speed depends on it.
//
// A plain __thread flag in the initial-exec model, so that reading it is
// one load rather than a call to __tls_get_addr: it needs one byte of the
// static TLS that the C library keeps for libraries loaded late.
#if defined(__ELF__)
#define ACT_TLS_MODEL __attribute__((tls_model("initial-exec")))
#else
#define ACT_TLS_MODEL
#endif
extern __thread bool g_stream_outputs ACT_TLS_MODEL;

// One table per level compiled into this library. Each is defined in
// kernels_<level>.cc; the dispatcher calls only those the processor runs.
const KernelTable& BaselineKernels();
#if defined(__x86_64__)
const KernelTable& Avx2Kernels();
const KernelTable& Avx512Kernels();
#endif

}  // namespace act

#endif  // ACTIVATIONS_KERNELS_H_
