// ClipByValue and the gradients of ClipByValue and Relu6 in one pass each (tfjs-core's gradients
// take four or five full-size passes through bool tensors: GreaterEqual, LessEqual, LogicalAnd,
// ZerosLike, Select).
#include "common.h"
#include <algorithm>

namespace cn {

namespace {

constexpr int64_t kClipChunk = 16384;

}  // namespace

// clip(x, y, n, lo, hi, reluFirst): y = min(max(x, lo), hi), of relu(x) when reluFirst (relu: -0
// and negatives to +0, NaN stays NaN, as the Relu kernels); NaN stays NaN (as tfjs's cpu kernel)
static Napi::Value clip(const Napi::CallbackInfo& info) {
  const size_t n = (size_t)integer(info, 2, "n");
  F32 x = f32(info, 0, n, "clip x"), y = f32(info, 1, n, "clip y");
  const float lo = (float)number(info, 3, "lo"), hi = (float)number(info, 4, "hi");
  const bool reluFirst = info.Length() > 5 && info[5].ToBoolean().Value();
  const float* xp = x.data;
  float* yp = y.data;
  const int64_t tasks = ((int64_t)n + kClipChunk - 1) / kClipChunk;
#pragma omp parallel for schedule(dynamic, 1) if ((int64_t)n >= kParallelMin)
  for (int64_t t = 0; t < tasks; t++) {
    const size_t i1 = std::min(n, (size_t)(t + 1) * kClipChunk);
    for (size_t i = (size_t)t * kClipChunk; i < i1; i++) {
      float v = xp[i];
      if (reluFirst) v = v > 0.f ? v : (v != v ? v : 0.f);
      yp[i] = v > hi ? hi : (v < lo ? lo : v);
    }
  }
  return info.Env().Undefined();
}

// clipGrad(dy, x, dx, n, lo, hi, relu6): dx = dy where lo <= x <= hi, else 0, and 0 where x is
// NaN (ClipByValue's). relu6: lo < x <= hi instead, and NaN where x is NaN (tfjs's dy * step(x)).
static Napi::Value clipGrad(const Napi::CallbackInfo& info) {
  const size_t n = (size_t)integer(info, 3, "n");
  F32 dy = f32(info, 0, n, "clipGrad dy"), x = f32(info, 1, n, "clipGrad x"), dx = f32(info, 2, n, "clipGrad dx");
  const float lo = (float)number(info, 4, "lo"), hi = (float)number(info, 5, "hi");
  const bool relu6 = info[6].ToBoolean().Value();
  const float* dyp = dy.data;
  const float* xp = x.data;
  float* dxp = dx.data;
  const int64_t tasks = ((int64_t)n + kClipChunk - 1) / kClipChunk;
#pragma omp parallel for schedule(dynamic, 1) if ((int64_t)n >= kParallelMin)
  for (int64_t t = 0; t < tasks; t++) {
    const size_t i1 = std::min(n, (size_t)(t + 1) * kClipChunk);
    if (relu6) {
      for (size_t i = (size_t)t * kClipChunk; i < i1; i++) {
        const float v = xp[i];
        dxp[i] = (v > lo && v <= hi) ? dyp[i] : (v != v ? v : 0.f);
      }
    } else {
      for (size_t i = (size_t)t * kClipChunk; i < i1; i++) dxp[i] = (xp[i] >= lo && xp[i] <= hi) ? dyp[i] : 0.f;
    }
  }
  return info.Env().Undefined();
}

void initClip(Napi::Env env, Napi::Object exports) {
  CN_EXPORT(env, exports, "clip", clip);
  CN_EXPORT(env, exports, "clipGrad", clipGrad);
}

}  // namespace cn
