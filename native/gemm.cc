// Batched matrix multiply through cblas_sgemm (OpenBLAS), with all transpose flags, a fused
// bias (scalar or per column) and a fused activation. Serves MatMul/BatchMatMul/_FusedMatMul.
#include "common.h"
#include "activation.h"
#include <cblas.h>
#include <algorithm>
#include "omp_compat.h"

namespace cn {

// gemm(a, b, c, batchA, batchB, M, N, K, transA, transB, bias|null, act, alpha)
// a: [batchA, M, K] (or [batchA, K, M] when transA), b: [batchB, K, N] (or [batchB, N, K]),
// c: [max(batchA, batchB), M, N]. bias: length 1 or N, added to every row. act: see activation.h.
static Napi::Value gemm(const Napi::CallbackInfo& info) {
  const int64_t batchA = integer(info, 3, "batchA"), batchB = integer(info, 4, "batchB");
  const int64_t M = integer(info, 5, "M"), N = integer(info, 6, "N"), K = integer(info, 7, "K");
  const bool tA = info[8].ToBoolean(), tB = info[9].ToBoolean();
  require(batchA >= 1 && batchB >= 1 && (batchA == batchB || batchA == 1 || batchB == 1),
          "gemm: batch sizes must match or one must be 1");
  const int64_t batch = std::max(batchA, batchB);
  F32 a = f32(info, 0, (size_t)(batchA * M * K), "gemm a");
  F32 b = f32(info, 1, (size_t)(batchB * K * N), "gemm b");
  F32 c = f32(info, 2, (size_t)(batch * M * N), "gemm c");
  F32 bias = f32opt(info, 10, 1, "gemm bias");
  require(bias.data == nullptr || bias.length == 1 || bias.length == (size_t)N, "gemm: bias must have 1 or N elements");
  const int act = (int)integer(info, 11, "act");
  const float alpha = (float)number(info, 12, "alpha");
  require(act >= 0 && act <= kActMax, "gemm: unknown activation");
  if (M == 0 || N == 0) return info.Env().Undefined();

  float beta = 0.f;
  if (bias.data != nullptr) {
    beta = 1.f;
    const size_t rows = (size_t)(batch * M);
#pragma omp parallel for schedule(static) if ((int64_t)rows * N >= kParallelMin)
    for (int64_t r = 0; r < (int64_t)rows; r++) {
      float* row = c.data + r * N;
      if (bias.length == 1) std::fill(row, row + N, bias.data[0]);
      else std::copy(bias.data, bias.data + N, row);
    }
  }
  // Small products (the per-time-step matmuls of a recurrent layer, say) run on one thread: a
  // threaded GEMM of a few million multiply-adds waits on its second thread at every call, up to a
  // scheduler slice on a machine shared with other processes.
  const int threads = omp_get_max_threads();
  const bool small = (double)batch * (double)M * (double)N * (double)K < kGemmParallelMin;
  if (small && threads > 1) openblas_set_num_threads(1);
  const CBLAS_TRANSPOSE opA = tA ? CblasTrans : CblasNoTrans, opB = tB ? CblasTrans : CblasNoTrans;
  const int lda = tA ? (int)M : (int)K, ldb = tB ? (int)K : (int)N;
  if (K == 0) {
    if (bias.data == nullptr) std::fill(c.data, c.data + batch * M * N, 0.f);
  } else if (batchB == 1 && !tA && batchA > 1) {
    // Rows of all A matrices are contiguous: one GEMM of [batchA*M, K] x [K, N].
    cblas_sgemm(CblasRowMajor, opA, opB, (int)(batchA * M), (int)N, (int)K, 1.f, a.data, lda, b.data, ldb, beta,
                c.data, (int)N);
  } else {
    for (int64_t i = 0; i < batch; i++) {
      const float* ai = a.data + (batchA == 1 ? 0 : i * M * K);
      const float* bi = b.data + (batchB == 1 ? 0 : i * K * N);
      cblas_sgemm(CblasRowMajor, opA, opB, (int)M, (int)N, (int)K, 1.f, ai, lda, bi, ldb, beta, c.data + i * M * N,
                  (int)N);
    }
  }
  if (small && threads > 1) openblas_set_num_threads(threads);
  if (act != kActLinear) applyActivation(c.data, (size_t)(batch * M * N), act, alpha);
  return info.Env().Undefined();
}

// setBlasThreads(n)
static Napi::Value setBlasThreads(const Napi::CallbackInfo& info) {
  int n = (int)integer(info, 0, "threads");
  require(n >= 1, "threads must be >= 1");
  openblas_set_num_threads(n);
  return info.Env().Undefined();
}

void initGemm(Napi::Env env, Napi::Object exports) {
  CN_EXPORT(env, exports, "gemm", gemm);
  CN_EXPORT(env, exports, "setBlasThreads", setBlasThreads);
}

}  // namespace cn

namespace cn {
std::string openblasConfig() { return openblas_get_config(); }
}  // namespace cn
