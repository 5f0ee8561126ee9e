// A GRU over a whole sequence in one call each way: the forward pass over all T steps, and its
// backward pass (back-propagation through time) returning the gradients of the input and of the
// three weights. The cell is Keras' reset-before GRU (that of tf.layers.gru and of
// src/models/gru-sequence.ts): weights kernel [D, 3U], recurrent kernel [U, 3U], bias [3U] in
// z, r, h order, h_0 = 0,
//   z = f(x W_z + h U_z + b_z), r = f(x W_r + h U_r + b_r), h~ = tanh(x W_h + (r * h) U_h + b_h),
//   h' = h~ + z (h - h~)   (= z h + (1 - z) h~),
// f the logistic sigmoid, or tfjs-layers' hard sigmoid clip(0.2 a + 0.5, 0, 1) (its GRU default).
//
// Every matrix product is cblas_sgemm (OpenBLAS), the GEMM of the native MatMul (gemm.cc): the
// input projections of all steps are one product, each step two small ones, and the weight
// gradients three products over all steps, all on one thread (see OneBlasThread).
#include "common.h"
#include <cblas.h>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>
#include "omp_compat.h"

namespace cn {

namespace {

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

struct Dims {
  int64_t B, T, D, U;
};

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

}  // namespace

// gruForward(x, kernel, recurrentKernel, bias, h, gates, B, T, D, U, hardSigmoid)
// x [B, T, D] -> h [B, T, U] (every step's state) and gates [B, T, 3U]: z, r and h~ of every
// step, what gruBackward reads.
static Napi::Value gruForward(const Napi::CallbackInfo& info) {
  const Dims d{integer(info, 6, "B"), integer(info, 7, "T"), integer(info, 8, "D"), integer(info, 9, "U")};
  const bool hard = info[10].ToBoolean();
  require(d.B >= 1 && d.T >= 1 && d.D >= 1 && d.U >= 1, "gruForward: B, T, D and U must be >= 1");
  const int64_t B = d.B, T = d.T, D = d.D, U = d.U, G = 3 * U;
  F32 x = f32(info, 0, prod({B, T, D}), "gruForward x");
  F32 kernel = f32(info, 1, prod({D, G}), "gruForward kernel");
  F32 rk = f32(info, 2, prod({U, G}), "gruForward recurrentKernel");
  F32 bias = f32(info, 3, (size_t)G, "gruForward bias");
  F32 h = f32(info, 4, prod({B, T, U}), "gruForward h");
  F32 gates = f32(info, 5, prod({B, T, G}), "gruForward gates");
  OneBlasThread oneThread;
  // input projections of every step: gates = x W + b, rows (b, t)
  for (int64_t r = 0; r < B * T; r++) std::copy(bias.data, bias.data + G, gates.data + r * G);
  sgemm(false, false, B * T, G, D, x.data, D, kernel.data, G, true, gates.data, G);
  {
    const int64_t nb = B;
    std::vector<float> rh((size_t)(nb * U));
    for (int64_t t = 0; t < T; t++) {
      float* g = gates.data + t * G;  // row (0, t); the rows of step t are T * G apart
      float* ht = h.data + t * U;
      const float* hp = t > 0 ? ht - U : nullptr;  // h_{t-1}, rows T * U apart
      if (hp != nullptr) sgemm(false, false, nb, 2 * U, U, hp, T * U, rk.data, G, true, g, T * G);  // + h [U_z U_r]
      for (int64_t b = 0; b < nb; b++) {
        float* gb = g + b * T * G;
        gateRow(gb, 2 * U, hard);
        float* rhb = rh.data() + b * U;
        if (hp != nullptr) {
          const float* hpb = hp + b * T * U;
          for (int64_t j = 0; j < U; j++) rhb[j] = gb[U + j] * hpb[j];
        }
      }
      if (hp != nullptr) sgemm(false, false, nb, U, U, rh.data(), U, rk.data + 2 * U, G, true, g + 2 * U, T * G);  // + (r h) U_h
      for (int64_t b = 0; b < nb; b++) {
        float* gb = g + b * T * G;
        float* hb = ht + b * T * U;
        for (int64_t j = 0; j < U; j++) {
          const float hh = tanhf32(gb[2 * U + j]);
          gb[2 * U + j] = hh;
          const float prev = hp != nullptr ? hp[b * T * U + j] : 0.f;
          hb[j] = hh + gb[j] * (prev - hh);
        }
      }
    }
  }
  return info.Env().Undefined();
}

// gruBackward(dy, x, kernel, recurrentKernel, h, gates, dx, dKernel, dRecurrentKernel, dBias, B, T, D, U, hardSigmoid)
// From dL/dh of every step (dy [B, T, U]) and the forward's h and gates: dx [B, T, D],
// dKernel [D, 3U], dRecurrentKernel [U, 3U], dBias [3U]. With a = the pre-activations, going back
// from t = T-1 with dh = dy_t + (what step t+1 sent back):
//   da_h = dh (1 - z)(1 - h~^2),  d(r h_{t-1}) = da_h U_h^T,
//   da_z = dh f'(z) (h_{t-1} - h~),  da_r = d(r h_{t-1}) f'(r) h_{t-1},
//   dh_{t-1} = dh z + d(r h_{t-1}) r + [da_z da_r] [U_z U_r]^T;
// then over all steps at once: dKernel = x^T da, dBias = sum da, dx = da W^T,
// dRecurrentKernel = [h_{t-1}^T [da_z da_r], (r h_{t-1})^T da_h].
static Napi::Value gruBackward(const Napi::CallbackInfo& info) {
  const Dims d{integer(info, 10, "B"), integer(info, 11, "T"), integer(info, 12, "D"), integer(info, 13, "U")};
  const bool hard = info[14].ToBoolean();
  require(d.B >= 1 && d.T >= 1 && d.D >= 1 && d.U >= 1, "gruBackward: B, T, D and U must be >= 1");
  const int64_t B = d.B, T = d.T, D = d.D, U = d.U, G = 3 * U;
  F32 dy = f32(info, 0, prod({B, T, U}), "gruBackward dy");
  F32 x = f32(info, 1, prod({B, T, D}), "gruBackward x");
  F32 kernel = f32(info, 2, prod({D, G}), "gruBackward kernel");
  F32 rk = f32(info, 3, prod({U, G}), "gruBackward recurrentKernel");
  F32 h = f32(info, 4, prod({B, T, U}), "gruBackward h");
  F32 gates = f32(info, 5, prod({B, T, G}), "gruBackward gates");
  F32 dx = f32(info, 6, prod({B, T, D}), "gruBackward dx");
  F32 dkernel = f32(info, 7, prod({D, G}), "gruBackward dKernel");
  F32 drk = f32(info, 8, prod({U, G}), "gruBackward dRecurrentKernel");
  F32 dbias = f32(info, 9, (size_t)G, "gruBackward dBias");
  OneBlasThread oneThread;
  std::vector<float> da(prod({B, T, G}));    // pre-activation gradients, rows (b, t)
  std::vector<float> hprev(prod({B, T, U}));  // h_{t-1} (0 at t = 0), then r h_{t-1} in rhprev
  std::vector<float> rhprev(prod({B, T, U}));
  for (int64_t b = 0; b < B; b++) {
    for (int64_t t = 0; t < T; t++) {
      float* hp = hprev.data() + (b * T + t) * U;
      float* rhp = rhprev.data() + (b * T + t) * U;
      const float* r = gates.data + (b * T + t) * G + U;
      if (t == 0) {
        std::fill(hp, hp + U, 0.f);
        std::fill(rhp, rhp + U, 0.f);
      } else {
        const float* src = h.data + (b * T + t - 1) * U;
        for (int64_t j = 0; j < U; j++) {
          hp[j] = src[j];
          rhp[j] = r[j] * src[j];
        }
      }
    }
  }
  {
    const int64_t nb = B;
    std::vector<float> dh((size_t)(nb * U)), drh((size_t)(nb * U)), carry((size_t)(nb * U), 0.f);
    for (int64_t t = T - 1; t >= 0; t--) {
      const int64_t row0 = t;  // row (0, t); the rows of step t are T apart
      for (int64_t b = 0; b < nb; b++) {
        const int64_t row = row0 + b * T;
        const float* g = gates.data + row * G;
        const float* hp = hprev.data() + row * U;
        const float* dyb = dy.data + row * U;
        float* a = da.data() + row * G;
        float* dhb = dh.data() + b * U;
        const float* cb = carry.data() + b * U;
        for (int64_t j = 0; j < U; j++) {
          const float z = g[j], hh = g[2 * U + j];
          const float v = dyb[j] + cb[j];
          dhb[j] = v;
          a[2 * U + j] = v * (1.f - z) * (1.f - hh * hh);
          a[j] = v * gateGrad(z, hard) * (hp[j] - hh);
        }
      }
      float* a0 = da.data() + row0 * G;
      sgemm(false, true, nb, U, U, a0 + 2 * U, T * G, rk.data + 2 * U, G, false, drh.data(), U);  // da_h U_h^T
      for (int64_t b = 0; b < nb; b++) {
        const int64_t row = row0 + b * T;
        const float* g = gates.data + row * G;
        const float* hp = hprev.data() + row * U;
        float* a = da.data() + row * G;
        const float* drb = drh.data() + b * U;
        for (int64_t j = 0; j < U; j++) a[U + j] = drb[j] * gateGrad(g[U + j], hard) * hp[j];
      }
      if (t == 0) break;
      for (int64_t b = 0; b < nb; b++) {
        const float* g = gates.data + (row0 + b * T) * G;
        const float* dhb = dh.data() + b * U;
        const float* drb = drh.data() + b * U;
        float* cb = carry.data() + b * U;
        for (int64_t j = 0; j < U; j++) cb[j] = dhb[j] * g[j] + drb[j] * g[U + j];
      }
      sgemm(false, true, nb, U, 2 * U, a0, T * G, rk.data, G, true, carry.data(), U);  // + [da_z da_r] [U_z U_r]^T
    }
  }
  const int64_t rows = B * T;
  sgemm(true, false, D, G, rows, x.data, D, da.data(), G, false, dkernel.data, G);
  sgemm(true, false, U, 2 * U, rows, hprev.data(), U, da.data(), G, false, drk.data, G);
  sgemm(true, false, U, U, rows, rhprev.data(), U, da.data() + 2 * U, G, false, drk.data + 2 * U, G);
  sgemm(false, true, rows, D, G, da.data(), G, kernel.data, G, false, dx.data, D);
  std::vector<double> sums((size_t)G, 0.0);
  for (int64_t r = 0; r < rows; r++) {
    const float* a = da.data() + r * G;
    for (int64_t j = 0; j < G; j++) sums[(size_t)j] += a[j];
  }
  for (int64_t j = 0; j < G; j++) dbias.data[j] = (float)sums[(size_t)j];
  return info.Env().Undefined();
}

void initGru(Napi::Env env, Napi::Object exports) {
  CN_EXPORT(env, exports, "gruForward", gruForward);
  CN_EXPORT(env, exports, "gruBackward", gruBackward);
}

}  // namespace cn
