// Element-wise kernels: broadcasting binary ops and comparisons over strided inputs, unary ops, and Tile.
// Shapes arrive collapsed by the TypeScript side (adjacent dims merged), rank <= 8.
#include "common.h"
#include <cmath>
#include <algorithm>

namespace cn {

namespace {

// kReluGrad: a = dy, b = the ReLU's input; dy where b > 0, else 0 (tfjs: dy * step(x)).
// kSquareGrad: a = dy, b = x; 2 * x * dy (tfjs: dy * (x * 2)).
enum BinaryOp : int { kAdd = 0, kSub, kMul, kDiv, kMaximum, kMinimum, kSquaredDifference, kReluGrad, kSquareGrad, kBinaryMax = kSquareGrad };

template <int op>
inline float binary(float a, float b) {
  if (op == kAdd) return a + b;
  if (op == kSub) return a - b;
  if (op == kMul) return a * b;
  if (op == kDiv) return a / b;
  if (op == kMaximum) return (a != a || b != b) ? NAN : (a > b ? a : b);
  if (op == kMinimum) return (a != a || b != b) ? NAN : (a < b ? a : b);
  if (op == kReluGrad) return b > 0.f ? a : (b != b ? b : 0.f);
  if (op == kSquareGrad) return a * (b * 2.f);
  const float d = a - b;
  return d * d;
}

/** Offsets of the largest element reachable with these strides, +1. */
size_t extent(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides) {
  size_t e = 1;
  for (size_t i = 0; i < shape.size(); i++) {
    if (shape[i] == 0) return 0;
    require(strides[i] >= 0, "strides must be >= 0");
    e += (size_t)((shape[i] - 1) * strides[i]);
  }
  return e;
}

/** Elements per parallel task: big enough to amortise scheduling, small enough to balance. */
constexpr int64_t kChunk = 16384;

template <int op>
void runBinary(const float* a, const float* b, float* out, const std::vector<int64_t>& shape,
               const std::vector<int64_t>& sa, const std::vector<int64_t>& sb) {
  const size_t r = shape.size();
  const int64_t inner = shape[r - 1], ia = sa[r - 1], ib = sb[r - 1];
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < r; i++) rows *= shape[i];
  // Tasks: (row, chunk of the row), scheduled dynamically so that a thread descheduled by a
  // busy machine does not hold the others at the barrier.
  const int64_t chunks = (inner + kChunk - 1) / kChunk, tasks = rows * chunks;
#pragma omp parallel for schedule(dynamic, 1) if (rows * inner >= kParallelMin)
  for (int64_t task = 0; task < tasks; task++) {
    const int64_t row = task / chunks, i0 = (task % chunks) * kChunk, i1 = std::min(inner, i0 + kChunk);
    int64_t rest = row, oa = 0, ob = 0;
    for (size_t d = r - 1; d-- > 0;) {
      const int64_t idx = rest % shape[d];
      rest /= shape[d];
      oa += idx * sa[d];
      ob += idx * sb[d];
    }
    const float* pa = a + oa;
    const float* pb = b + ob;
    float* po = out + row * inner;
    if (ia == 1 && ib == 1) {
      for (int64_t i = i0; i < i1; i++) po[i] = binary<op>(pa[i], pb[i]);
    } else if (ia == 1 && ib == 0) {
      const float vb = pb[0];
      for (int64_t i = i0; i < i1; i++) po[i] = binary<op>(pa[i], vb);
    } else if (ia == 0 && ib == 1) {
      const float va = pa[0];
      for (int64_t i = i0; i < i1; i++) po[i] = binary<op>(va, pb[i]);
    } else {
      for (int64_t i = i0; i < i1; i++) po[i] = binary<op>(pa[i * ia], pb[i * ib]);
    }
  }
}

enum UnaryOp : int {
  kRelu = 0, kRelu6, kExp, kLog, kSqrt, kRsqrt, kSquare, kNeg, kAbs, kSigmoid, kTanh, kStep, kReciprocal,
  kLeakyRelu, kElu, kLog1p, kSoftplus, kUnaryMax = kSoftplus
};

template <int op>
inline float unary(float x, float alpha) {
  switch (op) {
    case kRelu: return x > 0.f ? x : (x != x ? x : 0.f);
    case kRelu6: return x != x ? x : std::min(std::max(x, 0.f), 6.f);
    case kExp: return std::exp(x);
    case kLog: return std::log(x);
    case kSqrt: return std::sqrt(x);
    case kRsqrt: return 1.f / std::sqrt(x);
    case kSquare: return x * x;
    case kNeg: return -x;
    case kAbs: return std::fabs(x);
    case kSigmoid: return 1.f / (1.f + std::exp(-x));
    case kTanh: return std::tanh(x);
    case kStep: return x != x ? x : (x > 0.f ? 1.f : alpha);
    case kReciprocal: return 1.f / x;
    case kLeakyRelu: return x < 0.f ? alpha * x : x;
    case kElu: return x >= 0.f ? x : std::expm1(x);
    case kLog1p: return std::log1p(x);
    default: return x > 20.f ? x : (x < -20.f ? std::exp(x) : std::log1p(std::exp(x)));  // softplus
  }
}

template <int op>
void runUnary(const float* x, float* y, int64_t n, float alpha) {
  const int64_t tasks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(dynamic, 1) if (n >= kParallelMin)
  for (int64_t t = 0; t < tasks; t++) {
    const int64_t i1 = std::min(n, (t + 1) * kChunk);
    for (int64_t i = t * kChunk; i < i1; i++) y[i] = unary<op>(x[i], alpha);
  }
}


}  // namespace

// binary(op, a, b, out, shape, aStrides, bStrides)
static Napi::Value binaryOp(const Napi::CallbackInfo& info) {
  const int op = (int)integer(info, 0, "op");
  require(op >= 0 && op <= kBinaryMax, "binary: unknown op");
  auto shape = intList(info, 4, "shape");
  require(!shape.empty() && shape.size() <= 8, "binary: rank must be 1..8");
  auto sa = ints(info, 5, shape.size(), "aStrides"), sb = ints(info, 6, shape.size(), "bStrides");
  const size_t n = prod(shape);
  F32 a = f32(info, 1, extent(shape, sa), "binary a");
  F32 b = f32(info, 2, extent(shape, sb), "binary b");
  F32 out = f32(info, 3, n, "binary out");
  if (n == 0) return info.Env().Undefined();
  switch (op) {
    case kAdd: runBinary<kAdd>(a.data, b.data, out.data, shape, sa, sb); break;
    case kSub: runBinary<kSub>(a.data, b.data, out.data, shape, sa, sb); break;
    case kMul: runBinary<kMul>(a.data, b.data, out.data, shape, sa, sb); break;
    case kDiv: runBinary<kDiv>(a.data, b.data, out.data, shape, sa, sb); break;
    case kMaximum: runBinary<kMaximum>(a.data, b.data, out.data, shape, sa, sb); break;
    case kMinimum: runBinary<kMinimum>(a.data, b.data, out.data, shape, sa, sb); break;
    case kSquaredDifference: runBinary<kSquaredDifference>(a.data, b.data, out.data, shape, sa, sb); break;
    case kReluGrad: runBinary<kReluGrad>(a.data, b.data, out.data, shape, sa, sb); break;
    default: runBinary<kSquareGrad>(a.data, b.data, out.data, shape, sa, sb); break;
  }
  return info.Env().Undefined();
}

namespace {
enum CompareOp : int { kEqual = 0, kNotEqual, kGreater, kGreaterEqual, kLess, kLessEqual, kCompareMax = kLessEqual };

template <int op>
inline uint8_t compare(float a, float b) {
  if (op == kEqual) return a == b;
  if (op == kNotEqual) return a != b;
  if (op == kGreater) return a > b;
  if (op == kGreaterEqual) return a >= b;
  if (op == kLess) return a < b;
  return a <= b;
}

template <int op>
void runCompare(const float* a, const float* b, uint8_t* out, const std::vector<int64_t>& shape,
                const std::vector<int64_t>& sa, const std::vector<int64_t>& sb) {
  const size_t r = shape.size();
  const int64_t inner = shape[r - 1], ia = sa[r - 1], ib = sb[r - 1];
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < r; i++) rows *= shape[i];
#pragma omp parallel for schedule(dynamic, 16) if (rows * inner >= kParallelMin)
  for (int64_t row = 0; row < rows; row++) {
    int64_t rest = row, oa = 0, ob = 0;
    for (size_t d = r - 1; d-- > 0;) {
      const int64_t idx = rest % shape[d];
      rest /= shape[d];
      oa += idx * sa[d];
      ob += idx * sb[d];
    }
    uint8_t* po = out + row * inner;
    for (int64_t i = 0; i < inner; i++) po[i] = compare<op>(a[oa + i * ia], b[ob + i * ib]);
  }
}
}  // namespace

// compare(op, a, b, out: Uint8Array, shape, aStrides, bStrides): out = a <op> b (1 or 0)
static Napi::Value compareOp(const Napi::CallbackInfo& info) {
  const int op = (int)integer(info, 0, "op");
  require(op >= 0 && op <= kCompareMax, "compare: unknown op");
  auto shape = intList(info, 4, "shape");
  require(!shape.empty() && shape.size() <= 8, "compare: rank must be 1..8");
  auto sa = ints(info, 5, shape.size(), "aStrides"), sb = ints(info, 6, shape.size(), "bStrides");
  const size_t n = prod(shape);
  F32 a = f32(info, 1, extent(shape, sa), "compare a");
  F32 b = f32(info, 2, extent(shape, sb), "compare b");
  uint8_t* out = u8(info, 3, n, "compare out");
  if (n == 0) return info.Env().Undefined();
  switch (op) {
    case kEqual: runCompare<kEqual>(a.data, b.data, out, shape, sa, sb); break;
    case kNotEqual: runCompare<kNotEqual>(a.data, b.data, out, shape, sa, sb); break;
    case kGreater: runCompare<kGreater>(a.data, b.data, out, shape, sa, sb); break;
    case kGreaterEqual: runCompare<kGreaterEqual>(a.data, b.data, out, shape, sa, sb); break;
    case kLess: runCompare<kLess>(a.data, b.data, out, shape, sa, sb); break;
    default: runCompare<kLessEqual>(a.data, b.data, out, shape, sa, sb); break;
  }
  return info.Env().Undefined();
}

// unary(op, x, y, n, alpha)
static Napi::Value unaryOp(const Napi::CallbackInfo& info) {
  const int op = (int)integer(info, 0, "op");
  require(op >= 0 && op <= kUnaryMax, "unary: unknown op");
  const int64_t n = integer(info, 3, "n");
  F32 x = f32(info, 1, (size_t)n, "unary x"), y = f32(info, 2, (size_t)n, "unary y");
  const float alpha = (float)number(info, 4, "alpha");
  switch (op) {
#define CN_UNARY(k) case k: runUnary<k>(x.data, y.data, n, alpha); break;
    CN_UNARY(kRelu) CN_UNARY(kRelu6) CN_UNARY(kExp) CN_UNARY(kLog) CN_UNARY(kSqrt) CN_UNARY(kRsqrt)
    CN_UNARY(kSquare) CN_UNARY(kNeg) CN_UNARY(kAbs) CN_UNARY(kSigmoid) CN_UNARY(kTanh) CN_UNARY(kStep)
    CN_UNARY(kReciprocal) CN_UNARY(kLeakyRelu) CN_UNARY(kElu) CN_UNARY(kLog1p) CN_UNARY(kSoftplus)
#undef CN_UNARY
  }
  return info.Env().Undefined();
}

// tile(x, out, inShape, reps)
static Napi::Value tile(const Napi::CallbackInfo& info) {
  auto in = intList(info, 2, "inShape");
  require(!in.empty() && in.size() <= 8, "tile: rank must be 1..8");
  auto reps = ints(info, 3, in.size(), "reps");
  std::vector<int64_t> outShape(in.size());
  for (size_t i = 0; i < in.size(); i++) {
    require(reps[i] >= 1, "tile: reps must be >= 1");
    outShape[i] = in[i] * reps[i];
  }
  F32 x = f32(info, 0, prod(in), "tile x");
  F32 out = f32(info, 1, prod(outShape), "tile out");
  const size_t r = in.size();
  if (prod(in) == 0) return info.Env().Undefined();
  const int64_t inner = in[r - 1], outInner = outShape[r - 1];
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < r; i++) rows *= outShape[i];
  std::vector<int64_t> inStride(r, 1);
  for (size_t d = r - 1; d-- > 0;) inStride[d] = inStride[d + 1] * in[d + 1];
#pragma omp parallel for schedule(static) if (rows * outInner >= kParallelMin)
  for (int64_t row = 0; row < rows; row++) {
    int64_t rest = row, off = 0;
    for (size_t d = r - 1; d-- > 0;) {
      const int64_t idx = rest % outShape[d];
      rest /= outShape[d];
      off += (idx % in[d]) * inStride[d];
    }
    float* po = out.data + row * outInner;
    for (int64_t k = 0; k < reps[r - 1]; k++) std::copy(x.data + off, x.data + off + inner, po + k * inner);
  }
  return info.Env().Undefined();
}

// stridedCopy(x, out, shape, srcStrides, srcOffset, dstStrides, dstOffset): for every index i of
// `shape`, out[dstOffset + i . dstStrides] = x[srcOffset + i . srcStrides]. Transpose, Slice, Unpack,
// SplitV and PadV2 on the native backend are this copy (src/node/native/strided-copy.ts collapses
// the axes first). Every addressed element is checked to lie inside its buffer.
static Napi::Value stridedCopy(const Napi::CallbackInfo& info) {
  auto shape = intList(info, 2, "shape");
  const size_t r = shape.size();
  require(r >= 1 && r <= 8, "stridedCopy: rank must be 1..8");
  auto src = ints(info, 3, r, "srcStrides");
  const int64_t srcOffset = integer(info, 4, "srcOffset");
  auto dst = ints(info, 5, r, "dstStrides");
  const int64_t dstOffset = integer(info, 6, "dstOffset");
  F32 x = f32(info, 0, 0, "stridedCopy x");
  F32 out = f32(info, 1, 0, "stridedCopy out");
  const int64_t nx = (int64_t)x.length, nout = (int64_t)out.length;
  const int64_t n = prod(shape);
  if (n == 0) return info.Env().Undefined();
  // the lowest and highest element each side addresses
  int64_t sLo = srcOffset, sHi = srcOffset, dLo = dstOffset, dHi = dstOffset;
  for (size_t d = 0; d < r; d++) {
    require(shape[d] >= 1, "stridedCopy: dimensions must be >= 1");
    const int64_t ds = (shape[d] - 1) * src[d], dd = (shape[d] - 1) * dst[d];
    (ds < 0 ? sLo : sHi) += ds;
    (dd < 0 ? dLo : dHi) += dd;
  }
  require(sLo >= 0 && sHi < nx, "stridedCopy: source elements out of range");
  require(dLo >= 0 && dHi < nout, "stridedCopy: destination elements out of range");
  const int64_t inner = shape[r - 1], sStep = src[r - 1], dStep = dst[r - 1], rows = n / inner;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t row = 0; row < rows; row++) {
    int64_t rest = row, so = srcOffset, dof = dstOffset;
    for (size_t d = r - 1; d-- > 0;) {
      const int64_t idx = rest % shape[d];
      rest /= shape[d];
      so += idx * src[d];
      dof += idx * dst[d];
    }
    const float* px = x.data + so;
    float* po = out.data + dof;
    if (sStep == 1 && dStep == 1) std::copy(px, px + inner, po);
    else for (int64_t k = 0; k < inner; k++) po[k * dStep] = px[k * sStep];
  }
  return info.Env().Undefined();
}

void initElementwise(Napi::Env env, Napi::Object exports) {
  CN_EXPORT(env, exports, "stridedCopy", stridedCopy);
  CN_EXPORT(env, exports, "binary", binaryOp);
  CN_EXPORT(env, exports, "compare", compareOp);
  CN_EXPORT(env, exports, "unary", unaryOp);
  CN_EXPORT(env, exports, "tile", tile);
}

}  // namespace cn
