// Per-channel affine terms of a tensor viewed as [rows, C], the values of the native backend's
// lazy tensors (src/node/native/lazy-channel.ts):
//   v[r, c] = gamma[c] * dense[r, c] + alpha[c] * base[r, c] + beta[c], or (alpha[c] * base[r, c] + beta[c])^2
// with `dense` and `base` optional (absent: 0). channelAffine writes v; channelAffineSum sums v over
// the rows per channel without writing it (tf.moments' Mean of Square(Sub(x, mean)) is one read of x).
#include "common.h"
#include "channel_sums.h"
#include <algorithm>

namespace cn {

namespace {

// One row of v: out[c] (= or +=) the term at row pointers d, x.
template <bool kDense, bool kBase, bool kSquare, bool kAccumulate>
inline void row(float* __restrict out, const float* __restrict d, const float* __restrict gamma, const float* __restrict x,
                const float* __restrict alpha, const float* __restrict beta, int64_t C) {
  for (int64_t c = 0; c < C; c++) {
    float v = beta[c];
    if (kBase) v += alpha[c] * x[c];
    if (kSquare) v *= v;
    else if (kDense) v += gamma[c] * d[c];
    if (kAccumulate) out[c] += v;
    else out[c] = v;
  }
}

template <bool kDense, bool kBase, bool kSquare>
void affine(float* out, int64_t rows, int64_t C, const float* d, const float* gamma, const float* x, const float* alpha, const float* beta) {
#pragma omp parallel for schedule(dynamic, 256) if (rows * C >= kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    const int64_t o = r * C;
    row<kDense, kBase, kSquare, false>(out + o, kDense ? d + o : nullptr, gamma, kBase ? x + o : nullptr, alpha, beta, C);
  }
}

template <bool kDense, bool kBase, bool kSquare>
void affineSum(float* sums, int64_t rows, int64_t C, const float* d, const float* gamma, const float* x, const float* alpha, const float* beta,
               double scale) {
  std::vector<double> s1((size_t)C), unused((size_t)C);
  channelSums(rows, C, s1.data(), unused.data(), [&](int64_t r, float* f1, float*) {
    const int64_t o = r * C;
    row<kDense, kBase, kSquare, true>(f1, kDense ? d + o : nullptr, gamma, kBase ? x + o : nullptr, alpha, beta, C);
  });
  for (int64_t c = 0; c < C; c++) sums[c] = (float)(s1[(size_t)c] * scale);
}

/** The arguments both functions share, checked: (rows, C, dense|null, gamma, base|null, alpha, beta, square) from index `at`. */
struct Args {
  int64_t rows, C;
  F32 dense, gamma, base, alpha, beta;
  bool square;
};

Args args(const Napi::CallbackInfo& info, size_t at, const char* what) {
  Args a{};
  a.rows = integer(info, at, "rows");
  a.C = integer(info, at + 1, "C");
  require(a.C >= 1, std::string(what) + ": C must be >= 1");
  const size_t n = prod({a.rows, a.C});
  a.dense = f32opt(info, at + 2, n, "dense");
  a.gamma = f32(info, at + 3, (size_t)a.C, "gamma");
  a.base = f32opt(info, at + 4, n, "base");
  a.alpha = f32(info, at + 5, (size_t)a.C, "alpha");
  a.beta = f32(info, at + 6, (size_t)a.C, "beta");
  if (at + 7 >= info.Length() || !info[at + 7].IsBoolean()) throw std::invalid_argument(std::string(what) + ": square must be a boolean");
  a.square = info[at + 7].As<Napi::Boolean>().Value();
  require(!(a.square && a.dense.data != nullptr), std::string(what) + ": a squared term has no dense part");
  return a;
}

/** Calls K<dense, base, square>::run for the flags of `a`. */
template <template <bool, bool, bool> class K>
void dispatch(const Args& a, float* out, double scale) {
  const bool d = a.dense.data != nullptr, b = a.base.data != nullptr;
  const float *dp = a.dense.data, *ga = a.gamma.data, *bp = a.base.data, *al = a.alpha.data, *be = a.beta.data;
  if (a.square) {
    if (b) K<false, true, true>::run(out, a.rows, a.C, dp, ga, bp, al, be, scale);
    else K<false, false, true>::run(out, a.rows, a.C, dp, ga, bp, al, be, scale);
  } else if (d && b) K<true, true, false>::run(out, a.rows, a.C, dp, ga, bp, al, be, scale);
  else if (d) K<true, false, false>::run(out, a.rows, a.C, dp, ga, bp, al, be, scale);
  else if (b) K<false, true, false>::run(out, a.rows, a.C, dp, ga, bp, al, be, scale);
  else K<false, false, false>::run(out, a.rows, a.C, dp, ga, bp, al, be, scale);
}

template <bool kDense, bool kBase, bool kSquare>
struct Write {
  static void run(float* out, int64_t rows, int64_t C, const float* d, const float* ga, const float* x, const float* al, const float* be,
                  double) {
    affine<kDense, kBase, kSquare>(out, rows, C, d, ga, x, al, be);
  }
};

template <bool kDense, bool kBase, bool kSquare>
struct Sum {
  static void run(float* sums, int64_t rows, int64_t C, const float* d, const float* ga, const float* x, const float* al, const float* be,
                  double scale) {
    affineSum<kDense, kBase, kSquare>(sums, rows, C, d, ga, x, al, be, scale);
  }
};

}  // namespace

// channelAffine(out, rows, C, dense|null, gamma, base|null, alpha, beta, square): out = v (rows * C floats).
static Napi::Value channelAffine(const Napi::CallbackInfo& info) {
  Args a = args(info, 1, "channelAffine");
  F32 out = f32(info, 0, prod({a.rows, a.C}), "channelAffine out");
  if (a.rows > 0) dispatch<Write>(a, out.data, 1.0);
  return info.Env().Undefined();
}

// channelAffineSum(sums, rows, C, dense|null, gamma, base|null, alpha, beta, square, scale):
// sums[c] = scale * (sum over rows of v), summed in double (scale 1 / rows: the mean).
static Napi::Value channelAffineSum(const Napi::CallbackInfo& info) {
  Args a = args(info, 1, "channelAffineSum");
  const double scale = number(info, 9, "scale");
  F32 sums = f32(info, 0, (size_t)a.C, "channelAffineSum sums");
  if (a.rows == 0) std::fill(sums.data, sums.data + a.C, 0.f);
  else dispatch<Sum>(a, sums.data, scale);
  return info.Env().Undefined();
}

void initChannel(Napi::Env env, Napi::Object exports) {
  CN_EXPORT(env, exports, "channelAffine", channelAffine);
  CN_EXPORT(env, exports, "channelAffineSum", channelAffineSum);
}

}  // namespace cn
