// An LSTM over a whole sequence in one call each way: the forward pass over all T steps, and its
// backward pass (back-propagation through time) returning the gradients of the input and of the
// three weights. The cell is Keras' LSTM (that of tf.layers.lstm and src/models/lstm-sequence.ts):
// weights kernel [D, 4U], recurrent kernel [U, 4U], bias [4U] in i, f, c, o order, h_0 = c_0 = 0,
//   [a_i a_f a_g a_o] = x W + h U + b,
//   i = f(a_i), f = f(a_f), g = tanh(a_g), o = f(a_o),
//   c' = f c + i g,  h' = o tanh(c'),
// f the logistic sigmoid, or tfjs-layers' hard sigmoid clip(0.2 a + 0.5, 0, 1) (its LSTM default).
//
// Every matrix product is cblas_sgemm on one thread (recurrent.h): the input projections of all
// steps are one product, each step one small one each way, the weight gradients two products over
// all steps.
#include "common.h"
#include <algorithm>
#include <vector>
#include "recurrent.h"

namespace cn {

namespace {

using namespace recurrent;

// The gates of one row after their activations: i, f, o by the gate function, g by tanh.
inline void activateRow(float* a, int64_t U, bool hard) {
  gateRow(a, 2 * U, hard);  // i, f
  for (int64_t j = 2 * U; j < 3 * U; j++) a[j] = tanhf32(a[j]);
  gateRow(a + 3 * U, U, hard);  // o
}

}  // namespace

// lstmForward(x, kernel, recurrentKernel, bias, h, c, gates, B, T, D, U, hardSigmoid)
// x [B, T, D] -> h [B, T, U] and c [B, T, U] (every step's states) and gates [B, T, 4U]: i, f, g, o
// of every step after their activations, what lstmBackward reads.
static Napi::Value lstmForward(const Napi::CallbackInfo& info) {
  const int64_t B = integer(info, 7, "B"), T = integer(info, 8, "T"), D = integer(info, 9, "D"), U = integer(info, 10, "U");
  const bool hard = info[11].ToBoolean();
  require(B >= 1 && T >= 1 && D >= 1 && U >= 1, "lstmForward: B, T, D and U must be >= 1");
  const int64_t G = 4 * U;
  F32 x = f32(info, 0, prod({B, T, D}), "lstmForward x");
  F32 kernel = f32(info, 1, prod({D, G}), "lstmForward kernel");
  F32 rk = f32(info, 2, prod({U, G}), "lstmForward recurrentKernel");
  F32 bias = f32(info, 3, (size_t)G, "lstmForward bias");
  F32 h = f32(info, 4, prod({B, T, U}), "lstmForward h");
  F32 c = f32(info, 5, prod({B, T, U}), "lstmForward c");
  F32 gates = f32(info, 6, prod({B, T, G}), "lstmForward gates");
  OneBlasThread oneThread;
  // input projections of every step: gates = x W + b, rows (b, t)
  for (int64_t r = 0; r < B * T; r++) std::copy(bias.data, bias.data + G, gates.data + r * G);
  sgemm(false, false, B * T, G, D, x.data, D, kernel.data, G, true, gates.data, G);
  for (int64_t t = 0; t < T; t++) {
    float* g = gates.data + t * G;  // row (0, t); the rows of step t are T * G apart
    if (t > 0) sgemm(false, false, B, G, U, h.data + (t - 1) * U, T * U, rk.data, G, true, g, T * G);  // + h_{t-1} U
    for (int64_t b = 0; b < B; b++) {
      float* a = g + b * T * G;
      activateRow(a, U, hard);
      const int64_t row = b * T + t;
      float* ct = c.data + row * U;
      float* ht = h.data + row * U;
      const float* cp = t > 0 ? ct - U : nullptr;
      for (int64_t j = 0; j < U; j++) {
        const float v = a[U + j] * (cp != nullptr ? cp[j] : 0.f) + a[j] * a[2 * U + j];
        ct[j] = v;
        ht[j] = a[3 * U + j] * tanhf32(v);
      }
    }
  }
  return info.Env().Undefined();
}

// lstmBackward(dy, x, kernel, recurrentKernel, h, c, gates, dx, dKernel, dRecurrentKernel, dBias, B, T, D, U, hardSigmoid)
// From dL/dh of every step (dy [B, T, U]) and the forward's h, c and gates: dx [B, T, D],
// dKernel [D, 4U], dRecurrentKernel [U, 4U], dBias [4U]. Going back from t = T-1 with
// dh = dy_t + (what step t+1 sent back through h) and dc = dh o (1 - tanh^2 c_t) + (what it sent
// back through c):
//   da_i = dc g f'(i),  da_f = dc c_{t-1} f'(f),  da_g = dc i (1 - g^2),  da_o = dh tanh(c_t) f'(o),
//   dc_{t-1} = dc f,  dh_{t-1} = da U^T;
// then over all steps at once: dKernel = x^T da, dBias = sum da, dx = da W^T,
// dRecurrentKernel = h_{t-1}^T da.
static Napi::Value lstmBackward(const Napi::CallbackInfo& info) {
  const int64_t B = integer(info, 11, "B"), T = integer(info, 12, "T"), D = integer(info, 13, "D"), U = integer(info, 14, "U");
  const bool hard = info[15].ToBoolean();
  require(B >= 1 && T >= 1 && D >= 1 && U >= 1, "lstmBackward: B, T, D and U must be >= 1");
  const int64_t G = 4 * U;
  F32 dy = f32(info, 0, prod({B, T, U}), "lstmBackward dy");
  F32 x = f32(info, 1, prod({B, T, D}), "lstmBackward x");
  F32 kernel = f32(info, 2, prod({D, G}), "lstmBackward kernel");
  F32 rk = f32(info, 3, prod({U, G}), "lstmBackward recurrentKernel");
  F32 h = f32(info, 4, prod({B, T, U}), "lstmBackward h");
  F32 c = f32(info, 5, prod({B, T, U}), "lstmBackward c");
  F32 gates = f32(info, 6, prod({B, T, G}), "lstmBackward gates");
  F32 dx = f32(info, 7, prod({B, T, D}), "lstmBackward dx");
  F32 dkernel = f32(info, 8, prod({D, G}), "lstmBackward dKernel");
  F32 drk = f32(info, 9, prod({U, G}), "lstmBackward dRecurrentKernel");
  F32 dbias = f32(info, 10, (size_t)G, "lstmBackward dBias");
  OneBlasThread oneThread;
  std::vector<float> da(prod({B, T, G}));  // pre-activation gradients, rows (b, t)
  std::vector<float> carryH((size_t)(B * U), 0.f), carryC((size_t)(B * U), 0.f);
  for (int64_t t = T - 1; t >= 0; t--) {
    for (int64_t b = 0; b < B; b++) {
      const int64_t row = b * T + t;
      const float* g = gates.data + row * G;
      const float* ct = c.data + row * U;
      const float* cp = t > 0 ? ct - U : nullptr;
      const float* dyb = dy.data + row * U;
      float* a = da.data() + row * G;
      float* ch = carryH.data() + b * U;
      float* cc = carryC.data() + b * U;
      for (int64_t j = 0; j < U; j++) {
        const float i = g[j], f = g[U + j], gg = g[2 * U + j], o = g[3 * U + j];
        const float tc = tanhf32(ct[j]);
        const float dh = dyb[j] + ch[j];
        const float dc = dh * o * (1.f - tc * tc) + cc[j];
        a[j] = dc * gg * gateGrad(i, hard);
        a[U + j] = dc * (cp != nullptr ? cp[j] : 0.f) * gateGrad(f, hard);
        a[2 * U + j] = dc * i * (1.f - gg * gg);
        a[3 * U + j] = dh * tc * gateGrad(o, hard);
        cc[j] = dc * f;
      }
    }
    if (t > 0) sgemm(false, true, B, U, G, da.data() + t * G, T * G, rk.data, G, false, carryH.data(), U);  // da U^T
  }
  // h_{t-1} of every row (0 at t = 0)
  std::vector<float> hprev(prod({B, T, U}));
  for (int64_t b = 0; b < B; b++) {
    float* dst = hprev.data() + b * T * U;
    std::fill(dst, dst + U, 0.f);
    if (T > 1) std::copy(h.data + b * T * U, h.data + (b * T + T - 1) * U, dst + U);
  }
  const int64_t rows = B * T;
  sgemm(true, false, U, G, rows, hprev.data(), U, da.data(), G, false, drk.data, G);
  inputGradients(x.data, da.data(), kernel.data, dkernel.data, dx.data, dbias.data, rows, D, G);
  return info.Env().Undefined();
}

void initLstm(Napi::Env env, Napi::Object exports) {
  CN_EXPORT(env, exports, "lstmForward", lstmForward);
  CN_EXPORT(env, exports, "lstmBackward", lstmBackward);
}

}  // namespace cn
