// Per-channel sums over the rows of a tensor viewed as [rows, C], split across threads: shared by
// the batch-norm kernels (batchnorm.cc) and the lazy per-channel affine tensors (channel.cc).
#pragma once
#include "common.h"
#include "omp_compat.h"
#include <algorithm>
#include <vector>

namespace cn {

// Per-channel sums over rows [r0, r1) of x viewed as [rows, C], accumulated in float over blocks of
// 64 rows and flushed to double: s1 += sum(f1(r, c)), s2 += sum(f2(r, c)).
template <typename F>
inline void channelSums(int64_t rows, int64_t C, double* s1, double* s2, F&& term) {
  const int threads = omp_get_max_threads();
  std::vector<double> p1((size_t)(threads * C), 0.0), p2((size_t)(threads * C), 0.0);
#pragma omp parallel num_threads(threads) if (rows * C >= kParallelMin)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    double* a1 = p1.data() + (size_t)t * (size_t)C;
    double* a2 = p2.data() + (size_t)t * (size_t)C;
    std::vector<float> f1((size_t)C), f2((size_t)C);
    const int64_t r0 = rows * t / nt, r1 = rows * (t + 1) / nt;
    for (int64_t b0 = r0; b0 < r1; b0 += 64) {
      std::fill(f1.begin(), f1.end(), 0.f);
      std::fill(f2.begin(), f2.end(), 0.f);
      const int64_t b1 = std::min(r1, b0 + 64);
      for (int64_t r = b0; r < b1; r++) term(r, f1.data(), f2.data());
      for (int64_t c = 0; c < C; c++) {
        a1[c] += f1[(size_t)c];
        a2[c] += f2[(size_t)c];
      }
    }
  }
  for (int64_t c = 0; c < C; c++) {
    double t1 = 0, t2 = 0;
    for (int t = 0; t < threads; t++) {
      t1 += p1[(size_t)(t * C + c)];
      t2 += p2[(size_t)(t * C + c)];
    }
    s1[c] = t1;
    s2[c] = t2;
  }
}

}  // namespace cn
