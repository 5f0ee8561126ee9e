// Max and average pooling over NHWC tensors and their gradients, matching the cpu backend of
// tfjs (padding excluded from max and from the forward average; the average's gradient divides
// by the full window size, as tfjs-backend-cpu's AvgPoolGrad does). Parallel over the batch.
#include "common.h"
#include <algorithm>
#include <cstring>
#include <limits>

namespace cn {

namespace {

struct PoolGeometry {
  int64_t N, H, W, C, KH, KW, OH, OW, sh, sw, pt, pl;
  size_t xSize() const { return (size_t)(N * H * W * C); }
  size_t ySize() const { return (size_t)(N * OH * OW * C); }
};

PoolGeometry readPool(const Napi::CallbackInfo& info, size_t i) {
  auto p = ints(info, i, 12, "pool params");
  for (size_t k = 0; k < 10; k++) require(p[k] >= 1, "pool: sizes and strides must be >= 1");
  require(p[10] >= 0 && p[11] >= 0, "pool: paddings must be >= 0");
  return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11]};
}

}  // namespace

// maxPool(x, y, params) / avgPool(x, y, params)
template <bool kMax>
static Napi::Value pool(const Napi::CallbackInfo& info) {
  PoolGeometry g = readPool(info, 2);
  F32 x = f32(info, 0, g.xSize(), "pool x"), y = f32(info, 1, g.ySize(), "pool y");
  const int64_t C = g.C;
#pragma omp parallel for schedule(dynamic, 1) collapse(2)
  for (int64_t n = 0; n < g.N; n++) {
    for (int64_t oh = 0; oh < g.OH; oh++) {
      const float* xn = x.data + n * g.H * g.W * C;
      const int64_t h0 = std::max<int64_t>(oh * g.sh - g.pt, 0), h1 = std::min<int64_t>(oh * g.sh - g.pt + g.KH, g.H);
      for (int64_t ow = 0; ow < g.OW; ow++) {
        float* out = y.data + ((n * g.OH + oh) * g.OW + ow) * C;
        const int64_t w0 = std::max<int64_t>(ow * g.sw - g.pl, 0), w1 = std::min<int64_t>(ow * g.sw - g.pl + g.KW, g.W);
        std::fill(out, out + C, kMax ? -std::numeric_limits<float>::infinity() : 0.f);
        for (int64_t h = h0; h < h1; h++) {
          for (int64_t w = w0; w < w1; w++) {
            const float* in = xn + (h * g.W + w) * C;
            if (kMax) {
              for (int64_t c = 0; c < C; c++) out[c] = in[c] > out[c] ? in[c] : out[c];
            } else {
              for (int64_t c = 0; c < C; c++) out[c] += in[c];
            }
          }
        }
        if (!kMax) {
          const int64_t count = (h1 - h0) * (w1 - w0);
          const float inv = count > 0 ? 1.f / (float)count : 0.f;
          for (int64_t c = 0; c < C; c++) out[c] *= inv;
        }
      }
    }
  }
  return info.Env().Undefined();
}

// Windows that do not overlap (stride >= window, the 2x2 / stride 2 pooling of most CNNs): each dx
// element belongs to at most one window, so the gradient is written, not scattered. Per window, a
// first pass takes the maximum of each channel and a second writes dy at the first position equal
// to it (none when the maximum stayed -inf: a window of -inf or NaN only, as the scalar `>` of
// tfjs finds no maximum there), 0 elsewhere; both passes are branch-free over channels, so they
// vectorise. dx is cleared first only where windows leave gaps (stride > window, or 'valid'
// padding dropping the last rows or columns).
static void maxPoolGradDisjoint(const PoolGeometry& g, const float* dy, const float* x, float* dx) {
  const int64_t C = g.C;
  const bool covers = g.sh == g.KH && g.sw == g.KW && (g.OH - 1) * g.sh - g.pt + g.KH >= g.H &&
                      (g.OW - 1) * g.sw - g.pl + g.KW >= g.W;
#pragma omp parallel
  {
    std::vector<float> best((size_t)C), done((size_t)C);
#pragma omp for schedule(dynamic, 1)
    for (int64_t n = 0; n < g.N; n++) {
      const float* xn = x + n * g.H * g.W * C;
      float* dxn = dx + n * g.H * g.W * C;
      if (!covers) std::memset(dxn, 0, sizeof(float) * (size_t)(g.H * g.W * C));
      float* m = best.data();
      float* d = done.data();
      for (int64_t oh = 0; oh < g.OH; oh++) {
        const int64_t h0 = std::max<int64_t>(oh * g.sh - g.pt, 0), h1 = std::min<int64_t>(oh * g.sh - g.pt + g.KH, g.H);
        for (int64_t ow = 0; ow < g.OW; ow++) {
          const int64_t w0 = std::max<int64_t>(ow * g.sw - g.pl, 0), w1 = std::min<int64_t>(ow * g.sw - g.pl + g.KW, g.W);
          const float* gy = dy + ((n * g.OH + oh) * g.OW + ow) * C;
          for (int64_t c = 0; c < C; c++) m[c] = -std::numeric_limits<float>::infinity();
          for (int64_t h = h0; h < h1; h++)
            for (int64_t w = w0; w < w1; w++) {
              const float* in = xn + (h * g.W + w) * C;
              for (int64_t c = 0; c < C; c++) m[c] = in[c] > m[c] ? in[c] : m[c];
            }
          // a channel whose maximum stayed -inf gets no gradient: mark it done before the scan
          for (int64_t c = 0; c < C; c++) d[c] = m[c] > -std::numeric_limits<float>::infinity() ? 0.f : 1.f;
          for (int64_t h = h0; h < h1; h++)
            for (int64_t w = w0; w < w1; w++) {
              const float* in = xn + (h * g.W + w) * C;
              float* o = dxn + (h * g.W + w) * C;
              for (int64_t c = 0; c < C; c++) {
                const bool hit = d[c] == 0.f && in[c] == m[c];
                o[c] = hit ? gy[c] : 0.f;
                d[c] = hit ? 1.f : d[c];
              }
            }
        }
      }
    }
  }
}

// maxPoolGrad(dy, x, dx, params): routes each dy to the first maximum of its window in x.
static Napi::Value maxPoolGrad(const Napi::CallbackInfo& info) {
  PoolGeometry g = readPool(info, 3);
  F32 dy = f32(info, 0, g.ySize(), "maxPoolGrad dy"), x = f32(info, 1, g.xSize(), "maxPoolGrad x");
  F32 dx = f32(info, 2, g.xSize(), "maxPoolGrad dx");
  if (g.sh >= g.KH && g.sw >= g.KW) {
    maxPoolGradDisjoint(g, dy.data, x.data, dx.data);
    return info.Env().Undefined();
  }
  const int64_t C = g.C;
#pragma omp parallel
  {
    std::vector<float> best((size_t)C);
    std::vector<int64_t> where((size_t)C);
#pragma omp for schedule(dynamic, 1)
    for (int64_t n = 0; n < g.N; n++) {
      const float* xn = x.data + n * g.H * g.W * C;
      float* dxn = dx.data + n * g.H * g.W * C;
      std::memset(dxn, 0, sizeof(float) * (size_t)(g.H * g.W * C));
      for (int64_t oh = 0; oh < g.OH; oh++) {
        const int64_t h0 = std::max<int64_t>(oh * g.sh - g.pt, 0), h1 = std::min<int64_t>(oh * g.sh - g.pt + g.KH, g.H);
        for (int64_t ow = 0; ow < g.OW; ow++) {
          const int64_t w0 = std::max<int64_t>(ow * g.sw - g.pl, 0), w1 = std::min<int64_t>(ow * g.sw - g.pl + g.KW, g.W);
          std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
          std::fill(where.begin(), where.end(), -1);
          for (int64_t h = h0; h < h1; h++) {
            for (int64_t w = w0; w < w1; w++) {
              const int64_t off = (h * g.W + w) * C;
              const float* in = xn + off;
              for (int64_t c = 0; c < C; c++) {
                if (in[c] > best[c]) {  // strict: the first maximum wins, as in tfjs
                  best[c] = in[c];
                  where[c] = off + c;
                }
              }
            }
          }
          const float* g_ = dy.data + ((n * g.OH + oh) * g.OW + ow) * C;
          for (int64_t c = 0; c < C; c++) {
            if (where[c] >= 0) dxn[where[c]] += g_[c];
          }
        }
      }
    }
  }
  return info.Env().Undefined();
}

// avgPoolGrad(dy, dx, params)
static Napi::Value avgPoolGrad(const Napi::CallbackInfo& info) {
  PoolGeometry g = readPool(info, 2);
  F32 dy = f32(info, 0, g.ySize(), "avgPoolGrad dy"), dx = f32(info, 1, g.xSize(), "avgPoolGrad dx");
  const int64_t C = g.C;
  const float inv = 1.f / (float)(g.KH * g.KW);
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t n = 0; n < g.N; n++) {
    float* dxn = dx.data + n * g.H * g.W * C;
    std::memset(dxn, 0, sizeof(float) * (size_t)(g.H * g.W * C));
    for (int64_t oh = 0; oh < g.OH; oh++) {
      const int64_t h0 = std::max<int64_t>(oh * g.sh - g.pt, 0), h1 = std::min<int64_t>(oh * g.sh - g.pt + g.KH, g.H);
      for (int64_t ow = 0; ow < g.OW; ow++) {
        const int64_t w0 = std::max<int64_t>(ow * g.sw - g.pl, 0), w1 = std::min<int64_t>(ow * g.sw - g.pl + g.KW, g.W);
        const float* g_ = dy.data + ((n * g.OH + oh) * g.OW + ow) * C;
        for (int64_t h = h0; h < h1; h++) {
          for (int64_t w = w0; w < w1; w++) {
            float* o = dxn + (h * g.W + w) * C;
            for (int64_t c = 0; c < C; c++) o[c] += g_[c] * inv;
          }
        }
      }
    }
  }
  return info.Env().Undefined();
}

void initPool(Napi::Env env, Napi::Object exports) {
  CN_EXPORT(env, exports, "maxPool", pool<true>);
  CN_EXPORT(env, exports, "avgPool", pool<false>);
  CN_EXPORT(env, exports, "maxPoolGrad", maxPoolGrad);
  CN_EXPORT(env, exports, "avgPoolGrad", avgPoolGrad);
}

}  // namespace cn
