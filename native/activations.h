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
#define ACT_ABI_VERSION 1

typedef enum act_status {
  ACT_OK = 0,
  /* A pointer was null while its length was not zero. */
  ACT_NULL_POINTER = 1,
  /* A size or parameter is outside the kernel's domain. */
  ACT_INVALID_ARGUMENT = 2,
} act_status;

/// Returns ACT_ABI_VERSION as it was when the library was built.
ACT_EXPORT uint32_t act_abi_version(void);

/// y[i] = max(x[i], 0) for i < n. NaN stays NaN and -0 becomes +0, as in
/// TensorFlow. Exact: no rounding happens.
ACT_EXPORT int32_t act_relu_f32(const float* x, float* y, size_t n);
ACT_EXPORT int32_t act_relu_f64(const double* x, double* y, size_t n);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ACTIVATIONS_H_ */
