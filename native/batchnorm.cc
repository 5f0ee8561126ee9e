// Batch normalisation over the last axis: inference forward (given statistics) and its gradient,
// and the training-mode forward (batch statistics) and its gradient, one kernel each way.
// Inference forward: y = (x - mean) / sqrt(variance + eps) * scale + offset, with per-channel
// (length C) or scalar (length 1) parameters.
#include "common.h"
#include "omp_compat.h"
#include "channel_sums.h"
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
#pragma omp parallel for schedule(dynamic, 256) if (rows * C >= kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x.data + r * C;
    float* yr = y.data + r * C;
    for (int64_t c = 0; c < C; c++) yr[c] = xr[c] * a[(size_t)c] + b[(size_t)c];
  }
  return info.Env().Undefined();
}

// batchNormGrad(x, dy, mean, variance, scale|null, dx|null, dmean, dvariance, dscale, doffset, rows, C, eps)
// The gradients of y = (x - mean) * inv * scale + offset, inv = 1/sqrt(variance + eps), with
// mean and variance taken as inputs (as tfjs-core's FusedBatchNorm gradient does), in one pass:
//   dx = dy * scale * inv                      doffset = sum(dy)
//   dscale = inv * sum(dy * (x - mean))        dmean = -inv * scale * sum(dy)
//   dvariance = -0.5 * inv^3 * scale * sum(dy * (x - mean))
// dx null: dx is not written (the native backend's lazy terms stand for it, src/node/native/batchnorm.ts).
static Napi::Value batchNormGrad(const Napi::CallbackInfo& info) {
  const int64_t rows = integer(info, 10, "rows"), C = integer(info, 11, "C");
  const float eps = (float)number(info, 12, "eps");
  const size_t n = prod({rows, C});
  F32 x = f32(info, 0, n, "batchNormGrad x"), dy = f32(info, 1, n, "batchNormGrad dy");
  F32 mean = f32(info, 2, (size_t)C, "batchNormGrad mean"), var = f32(info, 3, (size_t)C, "batchNormGrad variance");
  F32 scale = f32opt(info, 4, (size_t)C, "batchNormGrad scale");
  F32 dx = f32opt(info, 5, n, "batchNormGrad dx");
  F32 dmean = f32(info, 6, (size_t)C, "dmean"), dvar = f32(info, 7, (size_t)C, "dvariance");
  F32 dscale = f32(info, 8, (size_t)C, "dscale"), doffset = f32(info, 9, (size_t)C, "doffset");
  std::vector<float> inv((size_t)C), g((size_t)C);  // g = scale * inv
  for (int64_t c = 0; c < C; c++) {
    inv[(size_t)c] = 1.f / std::sqrt(var.data[c] + eps);
    g[(size_t)c] = inv[(size_t)c] * (scale.data == nullptr ? 1.f : scale.data[c]);
  }
  std::vector<double> s1((size_t)C), s2((size_t)C);  // sum(dy), sum(dy * (x - mean)); dx on the way
  channelSums(rows, C, s1.data(), s2.data(), [&](int64_t r, float* f1, float* f2) {
    const float* xr = x.data + r * C;
    const float* dr = dy.data + r * C;
    for (int64_t c = 0; c < C; c++) {
      const float d = dr[c];
      f1[c] += d;
      f2[c] += d * (xr[c] - mean.data[c]);
    }
    if (dx.data != nullptr) {
      float* out = dx.data + r * C;
      for (int64_t c = 0; c < C; c++) out[c] = dr[c] * g[(size_t)c];
    }
  });
  for (int64_t c = 0; c < C; c++) {
    const double t1 = s1[(size_t)c], t2 = s2[(size_t)c];
    const double iv = inv[(size_t)c], sc = scale.data == nullptr ? 1.0 : scale.data[c];
    doffset.data[c] = (float)t1;
    dscale.data[c] = (float)(iv * t2);
    dmean.data[c] = (float)(-iv * sc * t1);
    dvar.data[c] = (float)(-0.5 * iv * iv * iv * sc * t2);
  }
  return info.Env().Undefined();
}

// batchNormTrain(x, gamma, beta, y, mean, variance, rows, C, eps)
// Training-mode batch norm of x viewed as [rows, C] in two passes over x: the batch mean and the
// biased variance per channel (sums of x - x[0] and its square, shifted by the first row so that
// large means do not cancel), then y = (x - mean) * rsqrt(variance + eps) * gamma + beta.
static Napi::Value batchNormTrain(const Napi::CallbackInfo& info) {
  const int64_t rows = integer(info, 6, "rows"), C = integer(info, 7, "C");
  const float eps = (float)number(info, 8, "eps");
  require(rows >= 1, "batchNormTrain: rows must be >= 1");
  const size_t n = prod({rows, C});
  F32 x = f32(info, 0, n, "batchNormTrain x"), y = f32(info, 3, n, "batchNormTrain y");
  F32 gamma = f32(info, 1, (size_t)C, "batchNormTrain gamma"), beta = f32(info, 2, (size_t)C, "batchNormTrain beta");
  F32 mean = f32(info, 4, (size_t)C, "batchNormTrain mean"), var = f32(info, 5, (size_t)C, "batchNormTrain variance");
  const float* shift = x.data;  // the first row
  std::vector<double> s1((size_t)C), s2((size_t)C);
  channelSums(rows, C, s1.data(), s2.data(), [&](int64_t r, float* f1, float* f2) {
    const float* xr = x.data + r * C;
    for (int64_t c = 0; c < C; c++) {
      const float d = xr[c] - shift[c];
      f1[c] += d;
      f2[c] += d * d;
    }
  });
  std::vector<float> a((size_t)C);
  for (int64_t c = 0; c < C; c++) {
    const double m = s1[(size_t)c] / (double)rows;
    const double v = std::max(0.0, s2[(size_t)c] / (double)rows - m * m);
    mean.data[c] = (float)(m + shift[c]);
    var.data[c] = (float)v;
    a[(size_t)c] = (float)(1.0 / std::sqrt((double)var.data[c] + (double)eps)) * gamma.data[c];
  }
  const float* mu = mean.data;
  const float* b = beta.data;
#pragma omp parallel for schedule(dynamic, 256) if (rows * C >= kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x.data + r * C;
    float* yr = y.data + r * C;
    for (int64_t c = 0; c < C; c++) yr[c] = (xr[c] - mu[c]) * a[(size_t)c] + b[c];
  }
  return info.Env().Undefined();
}

// batchNormTrainGrad(x, dy, mean, variance, gamma, dmean, dvariance, dx, dgamma, dbeta, rows, C, eps)
// The gradient of batchNormTrain with respect to x, gamma and beta, the batch statistics being
// functions of x (and dmean, dvariance the gradients reaching its mean and variance outputs).
// With xhat = (x - mean) * inv, inv = rsqrt(variance + eps), N = rows:
//   dbeta = sum(dy)   dgamma = sum(dy * xhat)
//   dx = gamma * inv / N * (N * dy - dbeta - xhat * dgamma) + dmean / N + dvariance * 2 (x - mean) / N
// One pass for the two sums, one for dx.
static Napi::Value batchNormTrainGrad(const Napi::CallbackInfo& info) {
  const int64_t rows = integer(info, 10, "rows"), C = integer(info, 11, "C");
  const float eps = (float)number(info, 12, "eps");
  require(rows >= 1, "batchNormTrainGrad: rows must be >= 1");
  const size_t n = prod({rows, C});
  F32 x = f32(info, 0, n, "batchNormTrainGrad x"), dy = f32(info, 1, n, "batchNormTrainGrad dy");
  F32 mean = f32(info, 2, (size_t)C, "batchNormTrainGrad mean"), var = f32(info, 3, (size_t)C, "batchNormTrainGrad variance");
  F32 gamma = f32(info, 4, (size_t)C, "batchNormTrainGrad gamma");
  F32 dmean = f32(info, 5, (size_t)C, "batchNormTrainGrad dmean"), dvar = f32(info, 6, (size_t)C, "batchNormTrainGrad dvariance");
  F32 dx = f32(info, 7, n, "batchNormTrainGrad dx");
  F32 dgamma = f32(info, 8, (size_t)C, "batchNormTrainGrad dgamma"), dbeta = f32(info, 9, (size_t)C, "batchNormTrainGrad dbeta");
  const float* mu = mean.data;
  std::vector<double> s1((size_t)C), s2((size_t)C);  // sum(dy), sum(dy * (x - mean))
  channelSums(rows, C, s1.data(), s2.data(), [&](int64_t r, float* f1, float* f2) {
    const float* xr = x.data + r * C;
    const float* dr = dy.data + r * C;
    for (int64_t c = 0; c < C; c++) {
      f1[c] += dr[c];
      f2[c] += dr[c] * (xr[c] - mu[c]);
    }
  });
  // dx = A * dy + B * (x - mean) + D, per channel.
  std::vector<float> A((size_t)C), B((size_t)C), D((size_t)C);
  const double N = (double)rows;
  for (int64_t c = 0; c < C; c++) {
    const double inv = 1.0 / std::sqrt((double)var.data[c] + (double)eps), g = gamma.data[c];
    dbeta.data[c] = (float)s1[(size_t)c];
    dgamma.data[c] = (float)(inv * s2[(size_t)c]);
    A[(size_t)c] = (float)(g * inv);
    B[(size_t)c] = (float)(-g * inv * inv * inv * s2[(size_t)c] / N + 2.0 * dvar.data[c] / N);
    D[(size_t)c] = (float)(-g * inv * s1[(size_t)c] / N + dmean.data[c] / N);
  }
#pragma omp parallel for schedule(dynamic, 256) if (rows * C >= kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x.data + r * C;
    const float* dr = dy.data + r * C;
    float* out = dx.data + r * C;
    for (int64_t c = 0; c < C; c++) out[c] = A[(size_t)c] * dr[c] + B[(size_t)c] * (xr[c] - mu[c]) + D[(size_t)c];
  }
  return info.Env().Undefined();
}

void initBatchNorm(Napi::Env env, Napi::Object exports) {
  CN_EXPORT(env, exports, "batchNorm", batchNorm);
  CN_EXPORT(env, exports, "batchNormGrad", batchNormGrad);
  CN_EXPORT(env, exports, "batchNormTrain", batchNormTrain);
  CN_EXPORT(env, exports, "batchNormTrainGrad", batchNormTrainGrad);
}

}  // namespace cn
