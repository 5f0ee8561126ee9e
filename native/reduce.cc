// Reductions (sum, mean, max, min) of a tensor viewed as [outer, reduced, inner]: the TypeScript
// side maps any set of adjacent reduced axes onto that view. Sums accumulate in double, as the
// cpu backend of tfjs does (JavaScript numbers), split across threads when `outer` is small.
#include "common.h"
#include "omp_compat.h"
#include <algorithm>
#include <cmath>
#include <limits>

namespace cn {

namespace {
enum ReduceOp : int { kSum = 0, kMean, kMax, kMin, kReduceMax = kMin };

/** Reduces rows [r0, r1) of one [red, inner] slab into acc (length inner). */
void reduceSlab(const float* x, int64_t r0, int64_t r1, int64_t inner, int op, double* acc) {
  for (int64_t r = r0; r < r1; r++) {
    const float* row = x + r * inner;
    if (op == kSum || op == kMean) {
      for (int64_t i = 0; i < inner; i++) acc[i] += row[i];
    } else if (op == kMax) {
      for (int64_t i = 0; i < inner; i++) acc[i] = (row[i] > acc[i] || row[i] != row[i]) ? row[i] : acc[i];
    } else {
      for (int64_t i = 0; i < inner; i++) acc[i] = (row[i] < acc[i] || row[i] != row[i]) ? row[i] : acc[i];
    }
  }
}

double initial(int op) {
  if (op == kMax) return -std::numeric_limits<double>::infinity();
  if (op == kMin) return std::numeric_limits<double>::infinity();
  return 0.0;
}

double combine(int op, double a, double b) {
  if (op == kMax) return (b > a || b != b) ? b : a;
  if (op == kMin) return (b < a || b != b) ? b : a;
  return a + b;
}
}  // namespace

// reduce(op, x, out, outer, red, inner)
static Napi::Value reduce(const Napi::CallbackInfo& info) {
  const int op = (int)integer(info, 0, "op");
  require(op >= 0 && op <= kReduceMax, "reduce: unknown op");
  const int64_t outer = integer(info, 3, "outer"), red = integer(info, 4, "red"), inner = integer(info, 5, "inner");
  F32 x = f32(info, 1, prod({outer, red, inner}), "reduce x");
  F32 out = f32(info, 2, prod({outer, inner}), "reduce out");
  const double scale = op == kMean ? 1.0 / (double)red : 1.0;
  const int threads = omp_get_max_threads();
  if (outer >= threads || outer * red * inner < kParallelMin) {
#pragma omp parallel for schedule(dynamic, 1) if (outer * red * inner >= kParallelMin)
    for (int64_t o = 0; o < outer; o++) {
      std::vector<double> acc((size_t)inner, initial(op));
      reduceSlab(x.data + o * red * inner, 0, red, inner, op, acc.data());
      for (int64_t i = 0; i < inner; i++) out.data[o * inner + i] = (float)(acc[i] * scale);
    }
    return info.Env().Undefined();
  }
  // Few slabs: split the reduced axis across threads, then combine the partials.
  std::vector<std::vector<double>> part((size_t)threads, std::vector<double>((size_t)inner));
  for (int64_t o = 0; o < outer; o++) {
    const float* slab = x.data + o * red * inner;
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      std::vector<double>& acc = part[(size_t)t];
      std::fill(acc.begin(), acc.end(), initial(op));
      const int64_t r0 = red * t / nt, r1 = red * (t + 1) / nt;
      reduceSlab(slab, r0, r1, inner, op, acc.data());
    }
    for (int64_t i = 0; i < inner; i++) {
      double v = initial(op);
      for (int t = 0; t < threads; t++) v = combine(op, v, part[(size_t)t][(size_t)i]);
      out.data[o * inner + i] = (float)(v * scale);
    }
  }
  return info.Env().Undefined();
}

void initReduce(Napi::Env env, Napi::Object exports) { CN_EXPORT(env, exports, "reduce", reduce); }

}  // namespace cn
