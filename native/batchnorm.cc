// Batch normalisation over the last axis, forward and gradient. Forward: y = (x - mean) / sqrt(variance + eps) * scale
// + offset, with per-channel (length C) or scalar (length 1) parameters.
#include "common.h"
#include "omp_compat.h"
#include <algorithm>
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

// batchNormGrad(x, dy, mean, variance, scale|null, dx, dmean, dvariance, dscale, doffset, rows, C, eps)
// The gradients of y = (x - mean) * inv * scale + offset, inv = 1/sqrt(variance + eps), with
// mean and variance taken as inputs (as tfjs-core's FusedBatchNorm gradient does), in one pass:
//   dx = dy * scale * inv                      doffset = sum(dy)
//   dscale = inv * sum(dy * (x - mean))        dmean = -inv * scale * sum(dy)
//   dvariance = -0.5 * inv^3 * scale * sum(dy * (x - mean))
static Napi::Value batchNormGrad(const Napi::CallbackInfo& info) {
  const int64_t rows = integer(info, 10, "rows"), C = integer(info, 11, "C");
  const float eps = (float)number(info, 12, "eps");
  const size_t n = prod({rows, C});
  F32 x = f32(info, 0, n, "batchNormGrad x"), dy = f32(info, 1, n, "batchNormGrad dy");
  F32 mean = f32(info, 2, (size_t)C, "batchNormGrad mean"), var = f32(info, 3, (size_t)C, "batchNormGrad variance");
  F32 scale = f32opt(info, 4, (size_t)C, "batchNormGrad scale");
  F32 dx = f32(info, 5, n, "batchNormGrad dx");
  F32 dmean = f32(info, 6, (size_t)C, "dmean"), dvar = f32(info, 7, (size_t)C, "dvariance");
  F32 dscale = f32(info, 8, (size_t)C, "dscale"), doffset = f32(info, 9, (size_t)C, "doffset");
  std::vector<float> inv((size_t)C), g((size_t)C);  // g = scale * inv
  for (int64_t c = 0; c < C; c++) {
    inv[(size_t)c] = 1.f / std::sqrt(var.data[c] + eps);
    g[(size_t)c] = inv[(size_t)c] * (scale.data == nullptr ? 1.f : scale.data[c]);
  }
  const int threads = omp_get_max_threads();
  std::vector<double> s1((size_t)(threads * C), 0.0), s2((size_t)(threads * C), 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    double* a1 = s1.data() + (size_t)t * (size_t)C;
    double* a2 = s2.data() + (size_t)t * (size_t)C;
    std::vector<float> f1((size_t)C), f2((size_t)C);  // float partials per block of rows, flushed to double
    const int64_t r0 = rows * t / nt, r1 = rows * (t + 1) / nt;
    for (int64_t b0 = r0; b0 < r1; b0 += 64) {
      std::fill(f1.begin(), f1.end(), 0.f);
      std::fill(f2.begin(), f2.end(), 0.f);
      const int64_t b1 = std::min(r1, b0 + 64);
      for (int64_t r = b0; r < b1; r++) {
        const float* xr = x.data + r * C;
        const float* dr = dy.data + r * C;
        float* out = dx.data + r * C;
        for (int64_t c = 0; c < C; c++) {
          const float d = dr[c];
          f1[(size_t)c] += d;
          f2[(size_t)c] += d * (xr[c] - mean.data[c]);
          out[c] = d * g[(size_t)c];
        }
      }
      for (int64_t c = 0; c < C; c++) {
        a1[c] += f1[(size_t)c];
        a2[c] += f2[(size_t)c];
      }
    }
  }
  for (int64_t c = 0; c < C; c++) {
    double t1 = 0, t2 = 0;
    for (int t = 0; t < threads; t++) {
      t1 += s1[(size_t)(t * C + c)];
      t2 += s2[(size_t)(t * C + c)];
    }
    const double iv = inv[(size_t)c], sc = scale.data == nullptr ? 1.0 : scale.data[c];
    doffset.data[c] = (float)t1;
    dscale.data[c] = (float)(iv * t2);
    dmean.data[c] = (float)(-iv * sc * t1);
    dvar.data[c] = (float)(-0.5 * iv * iv * iv * sc * t2);
  }
  return info.Env().Undefined();
}

void initBatchNorm(Napi::Env env, Napi::Object exports) {
  CN_EXPORT(env, exports, "batchNorm", batchNorm);
  CN_EXPORT(env, exports, "batchNormGrad", batchNormGrad);
}

}  // namespace cn
