/*
 * activations: neural-network activation functions over float and double
 * arrays. This header is the library's whole ABI: plain C types, one `act_`
 * prefix, the element type at the end of every kernel name.
 *
 * Every kernel returns an act_status. A length of zero never touches memory,
 * so null pointers are accepted then. Unless a kernel says otherwise, the
 * output may be the input (in place); any other overlap is undefined.
 */
#ifndef ACTIVATIONS_H_
#define ACTIVATIONS_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define ACT_EXPORT __declspec(dllexport)
#else
#define ACT_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version. It changes whenever a signature or a meaning changes, so a
 * binding can refuse a library built from other sources. */
#define ACT_ABI_VERSION 3

typedef enum act_status {
  ACT_OK = 0,
  /* A pointer was null while its length was not zero. */
  ACT_NULL_POINTER = 1,
  /* A size or parameter is outside the kernel's domain. */
  ACT_INVALID_ARGUMENT = 2,
} act_status;

/// Returns ACT_ABI_VERSION as it was when the library was built.
ACT_EXPORT uint32_t act_abi_version(void);

/*
 * Instruction-set levels. One library carries kernels for several levels
 * and picks, when it loads, the highest the processor runs: on x86-64 level
 * 0 is "baseline" (SSE2), 1 "avx2" (AVX2 with FMA) and 2 "avx512" (F, DQ,
 * VL, BW); on aarch64 level 0 is "neon". The environment variable
 * ACTIVATIONS_ISA, set to one of those names, caps the choice; any other
 * value is ignored. Every level gives bit-identical results, except that a
 * NaN result may differ in sign and payload.
 */

/// The name of the level in use.
ACT_EXPORT const char* act_isa_name(void);
/// The level in use.
ACT_EXPORT uint32_t act_isa_level(void);
/// The highest level this processor runs.
ACT_EXPORT uint32_t act_isa_level_max(void);
/// Switches to `level`. ACT_INVALID_ARGUMENT when the processor lacks it.
/// Calls already running finish on the level they started with.
ACT_EXPORT int32_t act_set_isa_level(uint32_t level);

/*
 * Threads. Large arrays are split between up to act_get_threads() threads
 * (by default, the processor count): the calling thread and a pool made on
 * first use. A call that finds the pool busy with another call runs on its
 * own thread alone, so calls from several threads never wait for each
 * other.
 */

/// Uses at most `count` threads, 1 to 256 (1: never split).
ACT_EXPORT int32_t act_set_threads(uint32_t count);
ACT_EXPORT uint32_t act_get_threads(void);

/// y = x for i < n; with `streaming` set, through stores that bypass the
/// cache, split between threads as the kernels are. The benchmarks measure
/// the kernels against this copy. y must not overlap x.
ACT_EXPORT int32_t act_copy_f32(const float* x, float* y, size_t n,
                                int32_t streaming);
ACT_EXPORT int32_t act_copy_f64(const double* x, double* y, size_t n,
                                int32_t streaming);

/*
 * Elementwise functions: y[i] = f(x[i]) for i < n. The output may be the
 * input. Float kernels evaluate in double and round once; double kernels
 * use libm. README.md lists the measured error bound of each. Parameters
 * travel as double for both element types and must be finite, else
 * ACT_INVALID_ARGUMENT.
 *
 * Gradients: dx[i] = dy[i] * f'(x[i]) for i < n. dx may be dy or x.
 */

/// ReLU: max(x, 0). NaN stays NaN, -0 becomes +0. Exact.
ACT_EXPORT int32_t act_relu_f32(const float* x, float* y, size_t n);
ACT_EXPORT int32_t act_relu_f64(const double* x, double* y, size_t n);
ACT_EXPORT int32_t act_relu_grad_f32(const float* dy, const float* x,
                                     float* dx, size_t n);
ACT_EXPORT int32_t act_relu_grad_f64(const double* dy, const double* x,
                                     double* dx, size_t n);

/// ReLU6: min(max(x, 0), 6). Exact. The derivative is 0 at 0 and at 6.
ACT_EXPORT int32_t act_relu6_f32(const float* x, float* y, size_t n);
ACT_EXPORT int32_t act_relu6_f64(const double* x, double* y, size_t n);
ACT_EXPORT int32_t act_relu6_grad_f32(const float* dy, const float* x,
                                      float* dx, size_t n);
ACT_EXPORT int32_t act_relu6_grad_f64(const double* dy, const double* x,
                                      double* dx, size_t n);

/// Leaky ReLU: x < 0 ? alpha x : x. The derivative at 0 is alpha.
ACT_EXPORT int32_t act_leaky_relu_f32(const float* x, float* y, size_t n,
                                      double alpha);
ACT_EXPORT int32_t act_leaky_relu_f64(const double* x, double* y, size_t n,
                                      double alpha);
ACT_EXPORT int32_t act_leaky_relu_grad_f32(const float* dy, const float* x,
                                           float* dx, size_t n, double alpha);
ACT_EXPORT int32_t act_leaky_relu_grad_f64(const double* dy, const double* x,
                                           double* dx, size_t n, double alpha);

/// PReLU: x < 0 ? a x : x with a = alpha[i % alpha_n]. alpha_n must not be
/// 0 when n is not. The output may be x, never alpha.
ACT_EXPORT int32_t act_prelu_f32(const float* x, float* y, size_t n,
                                 const float* alpha, size_t alpha_n);
ACT_EXPORT int32_t act_prelu_f64(const double* x, double* y, size_t n,
                                 const double* alpha, size_t alpha_n);
/// dx[i] = dy[i] * (x[i] > 0 ? 1 : a), and dalpha[j] is the sum of
/// dy[i] * x[i] over the i with i % alpha_n == j and x[i] <= 0. dalpha is
/// written whole, zeros included, even when n is 0.
ACT_EXPORT int32_t act_prelu_grad_f32(const float* dy, const float* x,
                                      float* dx, size_t n, const float* alpha,
                                      size_t alpha_n, float* dalpha);
ACT_EXPORT int32_t act_prelu_grad_f64(const double* dy, const double* x,
                                      double* dx, size_t n,
                                      const double* alpha, size_t alpha_n,
                                      double* dalpha);

/// ELU: x > 0 ? x : alpha (e^x - 1).
ACT_EXPORT int32_t act_elu_f32(const float* x, float* y, size_t n,
                               double alpha);
ACT_EXPORT int32_t act_elu_f64(const double* x, double* y, size_t n,
                               double alpha);
ACT_EXPORT int32_t act_elu_grad_f32(const float* dy, const float* x,
                                    float* dx, size_t n, double alpha);
ACT_EXPORT int32_t act_elu_grad_f64(const double* dy, const double* x,
                                    double* dx, size_t n, double alpha);

/// SELU: scale * elu(x, alpha) with Klambauer et al.'s constants.
ACT_EXPORT int32_t act_selu_f32(const float* x, float* y, size_t n);
ACT_EXPORT int32_t act_selu_f64(const double* x, double* y, size_t n);
ACT_EXPORT int32_t act_selu_grad_f32(const float* dy, const float* x,
                                     float* dx, size_t n);
ACT_EXPORT int32_t act_selu_grad_f64(const double* dy, const double* x,
                                     double* dx, size_t n);

/// CELU: max(0, x) + min(0, alpha (e^(x/alpha) - 1)). alpha must not be 0.
ACT_EXPORT int32_t act_celu_f32(const float* x, float* y, size_t n,
                                double alpha);
ACT_EXPORT int32_t act_celu_f64(const double* x, double* y, size_t n,
                                double alpha);
ACT_EXPORT int32_t act_celu_grad_f32(const float* dy, const float* x,
                                     float* dx, size_t n, double alpha);
ACT_EXPORT int32_t act_celu_grad_f64(const double* dy, const double* x,
                                     double* dx, size_t n, double alpha);

/// GELU, exact form: x Phi(x) = x/2 erfc(-x/sqrt(2)).
ACT_EXPORT int32_t act_gelu_f32(const float* x, float* y, size_t n);
ACT_EXPORT int32_t act_gelu_f64(const double* x, double* y, size_t n);
ACT_EXPORT int32_t act_gelu_grad_f32(const float* dy, const float* x,
                                     float* dx, size_t n);
ACT_EXPORT int32_t act_gelu_grad_f64(const double* dy, const double* x,
                                     double* dx, size_t n);

/// GELU, tanh form: x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
ACT_EXPORT int32_t act_gelu_tanh_f32(const float* x, float* y, size_t n);
ACT_EXPORT int32_t act_gelu_tanh_f64(const double* x, double* y, size_t n);
ACT_EXPORT int32_t act_gelu_tanh_grad_f32(const float* dy, const float* x,
                                          float* dx, size_t n);
ACT_EXPORT int32_t act_gelu_tanh_grad_f64(const double* dy, const double* x,
                                          double* dx, size_t n);

/// SiLU (swish): x sigmoid(beta x).
ACT_EXPORT int32_t act_silu_f32(const float* x, float* y, size_t n,
                                double beta);
ACT_EXPORT int32_t act_silu_f64(const double* x, double* y, size_t n,
                                double beta);
ACT_EXPORT int32_t act_silu_grad_f32(const float* dy, const float* x,
                                     float* dx, size_t n, double beta);
ACT_EXPORT int32_t act_silu_grad_f64(const double* dy, const double* x,
                                     double* dx, size_t n, double beta);

/// Mish: x tanh(softplus(x)).
ACT_EXPORT int32_t act_mish_f32(const float* x, float* y, size_t n);
ACT_EXPORT int32_t act_mish_f64(const double* x, double* y, size_t n);
ACT_EXPORT int32_t act_mish_grad_f32(const float* dy, const float* x,
                                     float* dx, size_t n);
ACT_EXPORT int32_t act_mish_grad_f64(const double* dy, const double* x,
                                     double* dx, size_t n);

/// Sigmoid: 1 / (1 + e^-x).
ACT_EXPORT int32_t act_sigmoid_f32(const float* x, float* y, size_t n);
ACT_EXPORT int32_t act_sigmoid_f64(const double* x, double* y, size_t n);
ACT_EXPORT int32_t act_sigmoid_grad_f32(const float* dy, const float* x,
                                        float* dx, size_t n);
ACT_EXPORT int32_t act_sigmoid_grad_f64(const double* dy, const double* x,
                                        double* dx, size_t n);

/// Hard sigmoid: clamp(alpha x + beta, 0, 1).
ACT_EXPORT int32_t act_hard_sigmoid_f32(const float* x, float* y, size_t n,
                                        double alpha, double beta);
ACT_EXPORT int32_t act_hard_sigmoid_f64(const double* x, double* y, size_t n,
                                        double alpha, double beta);
ACT_EXPORT int32_t act_hard_sigmoid_grad_f32(const float* dy, const float* x,
                                             float* dx, size_t n,
                                             double alpha, double beta);
ACT_EXPORT int32_t act_hard_sigmoid_grad_f64(const double* dy,
                                             const double* x, double* dx,
                                             size_t n, double alpha,
                                             double beta);

/// Hard swish: x relu6(x + 3) / 6. The derivative is 0 at -3 and 1 at 3.
ACT_EXPORT int32_t act_hard_swish_f32(const float* x, float* y, size_t n);
ACT_EXPORT int32_t act_hard_swish_f64(const double* x, double* y, size_t n);
ACT_EXPORT int32_t act_hard_swish_grad_f32(const float* dy, const float* x,
                                           float* dx, size_t n);
ACT_EXPORT int32_t act_hard_swish_grad_f64(const double* dy, const double* x,
                                           double* dx, size_t n);

/// Hyperbolic tangent.
ACT_EXPORT int32_t act_tanh_f32(const float* x, float* y, size_t n);
ACT_EXPORT int32_t act_tanh_f64(const double* x, double* y, size_t n);
ACT_EXPORT int32_t act_tanh_grad_f32(const float* dy, const float* x,
                                     float* dx, size_t n);
ACT_EXPORT int32_t act_tanh_grad_f64(const double* dy, const double* x,
                                     double* dx, size_t n);

/// Softplus: log(1 + e^(beta x)) / beta, without overflow. beta must not
/// be 0.
ACT_EXPORT int32_t act_softplus_f32(const float* x, float* y, size_t n,
                                    double beta);
ACT_EXPORT int32_t act_softplus_f64(const double* x, double* y, size_t n,
                                    double beta);
ACT_EXPORT int32_t act_softplus_grad_f32(const float* dy, const float* x,
                                         float* dx, size_t n, double beta);
ACT_EXPORT int32_t act_softplus_grad_f64(const double* dy, const double* x,
                                         double* dx, size_t n, double beta);

/// Softsign: x / (1 + |x|); +-1 at +-infinity.
ACT_EXPORT int32_t act_softsign_f32(const float* x, float* y, size_t n);
ACT_EXPORT int32_t act_softsign_f64(const double* x, double* y, size_t n);
ACT_EXPORT int32_t act_softsign_grad_f32(const float* dy, const float* x,
                                         float* dx, size_t n);
ACT_EXPORT int32_t act_softsign_grad_f64(const double* dy, const double* x,
                                         double* dx, size_t n);

/*
 * Row functions: x holds n / axis_length rows of axis_length elements each.
 * axis_length must divide n and, unless n is 0, must not be 0. y may be x.
 * A row whose largest element is infinite gives NaN, as TensorFlow does.
 */

/// Softmax: e^(x - max) / sum(e^(x - max)) along each row.
ACT_EXPORT int32_t act_softmax_f32(const float* x, float* y, size_t n,
                                   size_t axis_length);
ACT_EXPORT int32_t act_softmax_f64(const double* x, double* y, size_t n,
                                   size_t axis_length);
/// dx = y (dy - sum(dy y)) along each row, from the forward output y.
ACT_EXPORT int32_t act_softmax_grad_f32(const float* dy, const float* y,
                                        float* dx, size_t n,
                                        size_t axis_length);
ACT_EXPORT int32_t act_softmax_grad_f64(const double* dy, const double* y,
                                        double* dx, size_t n,
                                        size_t axis_length);

/// Log-softmax: x - max - log(sum(e^(x - max))) along each row.
ACT_EXPORT int32_t act_log_softmax_f32(const float* x, float* y, size_t n,
                                       size_t axis_length);
ACT_EXPORT int32_t act_log_softmax_f64(const double* x, double* y, size_t n,
                                       size_t axis_length);
/// dx = dy - e^y sum(dy) along each row, from the forward output y.
ACT_EXPORT int32_t act_log_softmax_grad_f32(const float* dy, const float* y,
                                            float* dx, size_t n,
                                            size_t axis_length);
ACT_EXPORT int32_t act_log_softmax_grad_f64(const double* dy, const double* y,
                                            double* dx, size_t n,
                                            size_t axis_length);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ACTIVATIONS_H_ */
