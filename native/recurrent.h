// Shared pieces of the recurrent kernels (gru.cc, lstm.cc): the row-major sgemm wrapper, the
// vectorisable exp / tanh / gate activations, OneBlasThread, and the input gradients every
// backward pass ends with.
#pragma once
#include <cblas.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>
#include "omp_compat.h"

namespace cn {
namespace recurrent {

// Row-major C = A op(B) (+ C when accumulate): A [M, K] (or [K, M] when tA) with leading dimension lda, and so on.
inline void sgemm(bool tA, bool tB, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
                  bool accumulate, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K, 1.f, A,
              (int)lda, B, (int)ldb, accumulate ? 1.f : 0.f, C, (int)ldc);
}

// e^x for x in [-87, 88] (clamped outside), relative error ~2e-7: Cephes' expf (range reduction by
// ln 2 in two parts, degree-5 polynomial), written without branches or calls so that the loops
// below vectorise (std::exp and std::tanh do not, and took most of the forward pass's time).
inline float expf32(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.f;
  const int32_t bits = ((int32_t)n + 127) << 23;  // 2^n, n in [-126, 127]
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return y * scale;
}

// tanh x = 1 - 2 / (e^{2x} + 1): absolute error ~1e-7 (what the tests against tfjs' Math.tanh bound).
inline float tanhf32(float x) { return 1.f - 2.f / (expf32(2.f * x) + 1.f); }

inline float gate(float a, bool hard) {
  if (hard) return std::min(std::max(0.5f + 0.2f * a, 0.f), 1.f);
  return 1.f / (1.f + expf32(-a));
}

// The gate activation over a row, as two loops so that each vectorises.
inline void gateRow(float* v, int64_t n, bool hard) {
  if (hard) {
    for (int64_t j = 0; j < n; j++) v[j] = gate(v[j], true);
  } else {
    for (int64_t j = 0; j < n; j++) v[j] = gate(v[j], false);
  }
}

// d gate / d a from the gate's value g. Hard sigmoid: 0.2 inside (0, 1), 0 where clipped (tfjs'
// clipByValue also passes the gradient at a pre-activation exactly on a bound, where g is 0 or 1).
inline float gateGrad(float g, bool hard) {
  if (hard) return g > 0.f && g < 1.f ? 0.2f : 0.f;
  return g * (1.f - g);
}


// Keeps the BLAS on one thread while it lives (restored after): every product of the kernel runs
// on the calling thread. The per-step products are small (a [B, U] x [U, 2U] product of CPC's GRU
// is ~3M multiply-adds) and a threaded product waits on its second thread at every call, up to a
// scheduler slice on a machine shared with other processes; the products over all steps (~60M
// multiply-adds each for CPC's GRU) measured the same way: CPC's GRU step took 60 ms with them on
// two threads and 23 ms with every product on one, at load 4-5 on this 2-core machine
// (BENCHMARKS.md, GRU step against PyTorch). Splitting the batch across threads for the whole
// recurrence (one parallel region per call) measured no faster either (BENCHMARKS-LOG.md).
class OneBlasThread {
 public:
  OneBlasThread() : threads_(omp_get_max_threads()) {
    if (threads_ > 1) openblas_set_num_threads(1);
  }
  ~OneBlasThread() {
    if (threads_ > 1) openblas_set_num_threads(threads_);
  }
  OneBlasThread(const OneBlasThread&) = delete;
  OneBlasThread& operator=(const OneBlasThread&) = delete;

 private:
  int threads_;
};

// What every recurrent kernel's backward pass ends with, from the pre-activation gradients da
// [rows, G] of all steps (rows = B T): dKernel = x^T da [D, G], dx = da W^T [rows, D], and
// dBias = the column sums of da (accumulated in double).
inline void inputGradients(const float* x, const float* da, const float* kernel, float* dkernel, float* dx, float* dbias,
                           int64_t rows, int64_t D, int64_t G) {
  sgemm(true, false, D, G, rows, x, D, da, G, false, dkernel, G);
  sgemm(false, true, rows, D, G, da, G, kernel, G, false, dx, D);
  std::vector<double> sums((size_t)G, 0.0);
  for (int64_t r = 0; r < rows; r++) {
    const float* a = da + r * G;
    for (int64_t j = 0; j < G; j++) sums[(size_t)j] += a[j];
  }
  for (int64_t j = 0; j < G; j++) dbias[j] = (float)sums[(size_t)j];
}

}  // namespace recurrent
}  // namespace cn
