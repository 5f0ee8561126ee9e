// Activations fused into GEMM, convolution and element-wise kernels. Codes match
// src/node/native/activation.ts.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace cn {

enum Act : int { kActLinear = 0, kActRelu = 1, kActRelu6 = 2, kActLeakyRelu = 3, kActSigmoid = 4, kActElu = 5, kActMax = 5 };

inline float activate(float v, int act, float alpha) {
  switch (act) {
    case kActRelu: return v > 0.f ? v : 0.f;
    case kActRelu6: return std::min(std::max(v, 0.f), 6.f);
    case kActLeakyRelu: return v < 0.f ? alpha * v : v;
    case kActSigmoid: return 1.f / (1.f + std::exp(-v));
    case kActElu: return v >= 0.f ? v : std::expm1(v);
    default: return v;
  }
}

inline void applyActivation(float* x, size_t n, int act, float alpha) {
  if (act == kActRelu) {
#pragma omp parallel for schedule(static) if (n > 65536)
    for (int64_t i = 0; i < (int64_t)n; i++) x[i] = x[i] > 0.f ? x[i] : 0.f;
    return;
  }
#pragma omp parallel for schedule(static) if (n > 16384)
  for (int64_t i = 0; i < (int64_t)n; i++) x[i] = activate(x[i], act, alpha);
}

}  // namespace cn
