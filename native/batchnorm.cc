// Batch normalisation forward over the last axis: y = (x - mean) / sqrt(variance + eps) * scale
// + offset, with per-channel (length C) or scalar (length 1) parameters.
#include "common.h"
#include <cmath>

namespace cn {

// batchNorm(x, mean, variance, offset|null, scale|null, y, rows, C, eps)
static Napi::Value batchNorm(const Napi::CallbackInfo& info) {
  const int64_t rows = integer(info, 6, "rows"), C = integer(info, 7, "C");
  const float eps = (float)number(info, 8, "eps");
  F32 x = f32(info, 0, prod({rows, C}), "batchNorm x"), y = f32(info, 5, prod({rows, C}), "batchNorm y");
  F32 mean = f32(info, 1, 1, "batchNorm mean"), var = f32(info, 2, 1, "batchNorm variance");
  F32 offset = f32opt(info, 3, 1, "batchNorm offset"), scale = f32opt(info, 4, 1, "batchNorm scale");
  for (const F32* p : {&mean, &var, &offset, &scale}) {
    require(p->data == nullptr || p->length == 1 || p->length == (size_t)C, "batchNorm: parameters must have 1 or C elements");
  }
  std::vector<float> a((size_t)C), b((size_t)C);  // y = x * a + b
  auto at = [C](const F32& p, int64_t c, float dflt) { return p.data == nullptr ? dflt : p.data[p.length == 1 ? 0 : c]; };
  for (int64_t c = 0; c < C; c++) {
    const float inv = 1.f / std::sqrt(at(var, c, 0.f) + eps);
    a[(size_t)c] = inv * at(scale, c, 1.f);
    b[(size_t)c] = at(offset, c, 0.f) - at(mean, c, 0.f) * a[(size_t)c];
  }
  (void)C;
#pragma omp parallel for schedule(dynamic, 256) if (rows * C > 32768)
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x.data + r * C;
    float* yr = y.data + r * C;
    for (int64_t c = 0; c < C; c++) yr[c] = xr[c] * a[(size_t)c] + b[(size_t)c];
  }
  return info.Env().Undefined();
}

void initBatchNorm(Napi::Env env, Napi::Object exports) { CN_EXPORT(env, exports, "batchNorm", batchNorm); }

}  // namespace cn
