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
#include <algorithm>
#include <vector>
#include "recurrent.h"

namespace cn {

namespace {

using namespace recurrent;

struct Dims {
  int64_t B, T, D, U;
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
  sgemm(true, false, U, 2 * U, rows, hprev.data(), U, da.data(), G, false, drk.data, G);
  sgemm(true, false, U, U, rows, rhprev.data(), U, da.data() + 2 * U, G, false, drk.data + 2 * U, G);
  inputGradients(x.data, da.data(), kernel.data, dkernel.data, dx.data, dbias.data, rows, D, G);
  return info.Env().Undefined();
}

void initGru(Napi::Env env, Napi::Object exports) {
  CN_EXPORT(env, exports, "gruForward", gruForward);
  CN_EXPORT(env, exports, "gruBackward", gruBackward);
}

}  // namespace cn
