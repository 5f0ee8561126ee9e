// 2-D convolution through oneDNN: forward (optionally with fused bias and activation),
// backward-data and backward-weights, for ordinary and depthwise convolutions (a depthwise one is
// a grouped convolution with one group per input channel). Tensors stay in tfjs's layouts
// (activations NHWC, filters HWIO, depthwise filters [KH, KW, C, M] with output channel c * M + m,
// which is oneDNN's group-major order); oneDNN picks its own weight layout (format_tag::any) and
// the reorders to and from it are cached primitives, as are the convolutions, keyed by shape.
#include "common.h"
#include "activation.h"
#include "dnnl_engine.h"
#include "omp_compat.h"
#include <memory>
#include <string>
#include <unordered_map>

namespace cn {

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

/**
 * Geometry of one convolution, as tfjs's computeConv2DInfo reports it. Depthwise: M is the channel
 * multiplier and O = C * M; an ordinary convolution has M = 0.
 */
struct Geometry {
  int64_t N, H, W, C, KH, KW, O, OH, OW, sh, sw, dh, dw, pt, pl, pb, pr, M;
  bool depthwise() const { return M > 0; }
  std::string key() const {
    std::string s;
    for (int64_t v : {N, H, W, C, KH, KW, O, OH, OW, sh, sw, dh, dw, pt, pl, pb, pr, M}) s += std::to_string(v) + ",";
    return s;
  }
  memory::desc src() const { return {{N, C, H, W}, dt::f32, tag::nhwc}; }
  memory::desc dst() const { return {{N, O, OH, OW}, dt::f32, tag::nhwc}; }
  /** tfjs's HWIO, or for depthwise its [KH, KW, C, M] as oneDNN's grouped weights [G = C, O = M, I = 1, KH, KW]. */
  memory::desc userWeights() const {
    if (depthwise()) return {{C, M, 1, KH, KW}, dt::f32, {M, 1, 1, KW * C * M, C * M}};
    return {{O, C, KH, KW}, dt::f32, tag::hwio};
  }
  memory::desc anyWeights() const {
    if (depthwise()) return {{C, M, 1, KH, KW}, dt::f32, tag::any};
    return {{O, C, KH, KW}, dt::f32, tag::any};
  }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims dilates() const { return {dh - 1, dw - 1}; }  // oneDNN counts extra gaps
  memory::dims padL() const { return {pt, pl}; }
  memory::dims padR() const { return {pb, pr}; }
  size_t xSize() const { return (size_t)(N * H * W * C); }
  size_t ySize() const { return (size_t)(N * OH * OW * O); }
  size_t wSize() const { return (size_t)(KH * KW * C * (depthwise() ? M : O)); }
};

/**
 * The 17 geometry parameters at argument i. Ordinary: [N, H, W, C, KH, KW, O, OH, OW, strides,
 * dilations, paddings]; depthwise: the same with the channel multiplier M in O's place.
 */
Geometry readGeometry(const Napi::CallbackInfo& info, size_t i, bool depthwise) {
  const char* what = depthwise ? "depthwise" : "conv";
  auto p = ints(info, i, 17, depthwise ? "depthwise params" : "conv params");
  Geometry g{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16], 0};
  for (size_t k = 0; k < 13; k++) require(p[k] >= 1, std::string(what) + ": sizes, strides and dilations must be >= 1");
  for (size_t k = 13; k < 17; k++) require(p[k] >= 0, std::string(what) + ": paddings must be >= 0");
  if (depthwise) {
    g.M = p[6];
    g.O = g.C * g.M;
  }
  const int64_t keh = (g.KH - 1) * g.dh + 1, kew = (g.KW - 1) * g.dw + 1;
  require(g.H + g.pt + g.pb >= keh && g.W + g.pl + g.pr >= kew, std::string(what) + ": filter larger than the padded input");
  require((g.H + g.pt + g.pb - keh) / g.sh + 1 == g.OH && (g.W + g.pl + g.pr - kew) / g.sw + 1 == g.OW,
          std::string(what) + ": output size inconsistent with input, filter, strides and paddings");
  return g;
}

primitive_attr activationAttr(int act, float alpha) {
  primitive_attr attr;
  if (act == kActLinear) return attr;
  post_ops po;
  switch (act) {
    case kActRelu: po.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); break;
    case kActRelu6: po.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 6.f); break;
    case kActLeakyRelu: po.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f); break;
    case kActSigmoid: po.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f); break;
    case kActElu: po.append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f); break;
    default: throw std::invalid_argument("conv: unknown activation");
  }
  attr.set_post_ops(po);
  return attr;
}

convolution_forward::primitive_desc forwardDesc(const Geometry& g, bool bias, int act, float alpha) {
  memory::desc biasMd = bias ? memory::desc({g.O}, dt::f32, tag::a) : memory::desc();
  auto d = convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, g.src(),
                                     g.anyWeights(), biasMd, g.dst(), g.strides(), g.dilates(), g.padL(), g.padR());
  return convolution_forward::primitive_desc(d, activationAttr(act, alpha), cpuEngine());
}

/** A weight reorder between tfjs's HWIO and the primitive's layout, with its buffer. */
struct WeightBridge {
  bool needed = false;
  memory user, inner;
  reorder prim;
  /**
   * Runs the reorder on one thread: weights are small (< 1 MB here), and a two-thread barrier
   * around microseconds of work costs milliseconds when the machine is oversubscribed.
   */
  void run(stream& s, bool toInner) {
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    if (toInner) prim.execute(s, user, inner);
    else prim.execute(s, inner, user);
    omp_set_num_threads(threads);
  }
  void init(const memory::desc& userMd, const memory::desc& innerMd, bool toInner) {
    user = memory(userMd, cpuEngine(), DNNL_MEMORY_NONE);
    needed = innerMd != userMd;
    if (!needed) return;
    inner = memory(innerMd, cpuEngine());  // owned by oneDNN, reused every call
    prim = toInner ? reorder(user, inner) : reorder(inner, user);
  }
};

// each with oneDNN's implementation name (`impl`: "jit:..." or "ref:...", for diagnostics)
struct Forward {
  convolution_forward prim;
  memory src, dst, bias;
  WeightBridge w;
  std::string impl;
};
struct BackwardData {
  convolution_backward_data prim;
  memory diffSrc, diffDst;
  WeightBridge w;
  std::string impl;
};
struct BackwardWeights {
  convolution_backward_weights prim;
  memory src, diffDst;
  WeightBridge w;
  std::string impl;
};

std::unordered_map<std::string, std::unique_ptr<Forward>> forwardCache;
std::unordered_map<std::string, std::unique_ptr<BackwardData>> backwardDataCache;
std::unordered_map<std::string, std::unique_ptr<BackwardWeights>> backwardWeightsCache;

Forward& forwardFor(const Geometry& g, bool bias, int act, float alpha) {
  std::string key = g.key() + (bias ? "b" : "") + std::to_string(act) + ":" + std::to_string(alpha);
  auto it = forwardCache.find(key);
  if (it != forwardCache.end()) return *it->second;
  auto pd = forwardDesc(g, bias, act, alpha);
  auto f = std::make_unique<Forward>();
  f->prim = convolution_forward(pd);
  f->src = memory(g.src(), cpuEngine(), DNNL_MEMORY_NONE);
  f->dst = memory(g.dst(), cpuEngine(), DNNL_MEMORY_NONE);
  if (bias) f->bias = memory(pd.bias_desc(), cpuEngine(), DNNL_MEMORY_NONE);
  f->w.init(g.userWeights(), pd.weights_desc(), true);
  f->impl = pd.impl_info_str();
  return *forwardCache.emplace(key, std::move(f)).first->second;
}

BackwardData& backwardDataFor(const Geometry& g) {
  std::string key = g.key();
  auto it = backwardDataCache.find(key);
  if (it != backwardDataCache.end()) return *it->second;
  auto hint = forwardDesc(g, false, kActLinear, 0.f);
  auto d = convolution_backward_data::desc(algorithm::convolution_direct, g.src(), g.anyWeights(), g.dst(),
                                           g.strides(), g.dilates(), g.padL(), g.padR());
  convolution_backward_data::primitive_desc pd(d, cpuEngine(), hint);
  auto b = std::make_unique<BackwardData>();
  b->prim = convolution_backward_data(pd);
  b->diffSrc = memory(g.src(), cpuEngine(), DNNL_MEMORY_NONE);
  b->diffDst = memory(g.dst(), cpuEngine(), DNNL_MEMORY_NONE);
  b->w.init(g.userWeights(), pd.weights_desc(), true);
  b->impl = pd.impl_info_str();
  return *backwardDataCache.emplace(key, std::move(b)).first->second;
}

BackwardWeights& backwardWeightsFor(const Geometry& g) {
  std::string key = g.key();
  auto it = backwardWeightsCache.find(key);
  if (it != backwardWeightsCache.end()) return *it->second;
  auto hint = forwardDesc(g, false, kActLinear, 0.f);
  auto d = convolution_backward_weights::desc(algorithm::convolution_direct, g.src(), g.anyWeights(), g.dst(),
                                              g.strides(), g.dilates(), g.padL(), g.padR());
  convolution_backward_weights::primitive_desc pd(d, cpuEngine(), hint);
  auto b = std::make_unique<BackwardWeights>();
  b->prim = convolution_backward_weights(pd);
  b->src = memory(g.src(), cpuEngine(), DNNL_MEMORY_NONE);
  b->diffDst = memory(g.dst(), cpuEngine(), DNNL_MEMORY_NONE);
  b->w.init(g.userWeights(), pd.diff_weights_desc(), false);
  b->impl = pd.impl_info_str();
  return *backwardWeightsCache.emplace(key, std::move(b)).first->second;
}

/** Names of the exported functions, for error messages. */
template <bool DW>
const char* fnName(int which) {
  static const char* conv[] = {"conv2d", "conv2dBackpropInput", "conv2dBackpropFilter"};
  static const char* dw[] = {"depthwiseConv2d", "depthwiseConv2dBackpropInput", "depthwiseConv2dBackpropFilter"};
  return DW ? dw[which] : conv[which];
}

std::string arg(const char* fn, const char* name) { return std::string(fn) + " " + name; }

}  // namespace

// conv2d / depthwiseConv2d(x, w, y, params, bias|null, act, alpha): y = act(conv(x, w) + bias)
template <bool DW>
static Napi::Value forwardFn(const Napi::CallbackInfo& info) {
  const char* fn = fnName<DW>(0);
  Geometry g = readGeometry(info, 3, DW);
  F32 x = f32(info, 0, g.xSize(), arg(fn, "x").c_str()), w = f32(info, 1, g.wSize(), arg(fn, "w").c_str());
  F32 y = f32(info, 2, g.ySize(), arg(fn, "y").c_str());
  F32 bias = f32opt(info, 4, (size_t)g.O, arg(fn, "bias").c_str());
  const int act = (int)integer(info, 5, "act");
  const float alpha = (float)number(info, 6, "alpha");
  Forward& f = forwardFor(g, bias.data != nullptr, act, alpha);
  stream& s = cpuStream();
  f.w.user.set_data_handle(w.data);
  if (f.w.needed) f.w.run(s, true);
  f.src.set_data_handle(x.data);
  f.dst.set_data_handle(y.data);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, f.src}, {DNNL_ARG_WEIGHTS, f.w.needed ? f.w.inner : f.w.user}, {DNNL_ARG_DST, f.dst}};
  if (bias.data != nullptr) {
    f.bias.set_data_handle(bias.data);
    args.emplace(DNNL_ARG_BIAS, f.bias);
  }
  f.prim.execute(s, args);
  s.wait();
  return info.Env().Undefined();
}

// conv2dBackpropInput / depthwiseConv2dBackpropInput(dy, w, dx, params): dx = conv^T(dy, w)
template <bool DW>
static Napi::Value backwardDataFn(const Napi::CallbackInfo& info) {
  const char* fn = fnName<DW>(1);
  Geometry g = readGeometry(info, 3, DW);
  F32 dy = f32(info, 0, g.ySize(), arg(fn, "dy").c_str()), w = f32(info, 1, g.wSize(), arg(fn, "w").c_str());
  F32 dx = f32(info, 2, g.xSize(), arg(fn, "dx").c_str());
  BackwardData& b = backwardDataFor(g);
  stream& s = cpuStream();
  b.w.user.set_data_handle(w.data);
  if (b.w.needed) b.w.run(s, true);
  b.diffDst.set_data_handle(dy.data);
  b.diffSrc.set_data_handle(dx.data);
  b.prim.execute(s, {{DNNL_ARG_DIFF_DST, b.diffDst}, {DNNL_ARG_WEIGHTS, b.w.needed ? b.w.inner : b.w.user}, {DNNL_ARG_DIFF_SRC, b.diffSrc}});
  s.wait();
  return info.Env().Undefined();
}

// conv2dBackpropFilter / depthwiseConv2dBackpropFilter(x, dy, dw, params): dw = sum over batch and positions of x (x) dy
template <bool DW>
static Napi::Value backwardWeightsFn(const Napi::CallbackInfo& info) {
  const char* fn = fnName<DW>(2);
  Geometry g = readGeometry(info, 3, DW);
  F32 x = f32(info, 0, g.xSize(), arg(fn, "x").c_str()), dy = f32(info, 1, g.ySize(), arg(fn, "dy").c_str());
  F32 dw = f32(info, 2, g.wSize(), arg(fn, "dw").c_str());
  BackwardWeights& b = backwardWeightsFor(g);
  stream& s = cpuStream();
  b.w.user.set_data_handle(dw.data);
  b.src.set_data_handle(x.data);
  b.diffDst.set_data_handle(dy.data);
  b.prim.execute(s, {{DNNL_ARG_SRC, b.src}, {DNNL_ARG_DIFF_DST, b.diffDst}, {DNNL_ARG_DIFF_WEIGHTS, b.w.needed ? b.w.inner : b.w.user}});
  if (b.w.needed) b.w.run(s, false);
  s.wait();
  return info.Env().Undefined();
}

// depthwiseImpl(params): oneDNN's implementation names for the forward, backward-data and
// backward-weights primitives of this depthwise geometry (diagnostics: "jit:..." or "ref:...").
static Napi::Value depthwiseImpl(const Napi::CallbackInfo& info) {
  Geometry g = readGeometry(info, 0, true);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("forward", forwardFor(g, false, kActLinear, 0.f).impl);
  o.Set("backwardData", backwardDataFor(g).impl);
  o.Set("backwardWeights", backwardWeightsFor(g).impl);
  return o;
}

// convCacheSize(): number of cached primitives (for tests and diagnostics)
static Napi::Value convCacheSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), (double)(forwardCache.size() + backwardDataCache.size() + backwardWeightsCache.size()));
}

void initConv(Napi::Env env, Napi::Object exports) {
  CN_EXPORT(env, exports, "conv2d", forwardFn<false>);
  CN_EXPORT(env, exports, "conv2dBackpropInput", backwardDataFn<false>);
  CN_EXPORT(env, exports, "conv2dBackpropFilter", backwardWeightsFn<false>);
  CN_EXPORT(env, exports, "depthwiseConv2d", forwardFn<true>);
  CN_EXPORT(env, exports, "depthwiseConv2dBackpropInput", backwardDataFn<true>);
  CN_EXPORT(env, exports, "depthwiseConv2dBackpropFilter", backwardWeightsFn<true>);
  CN_EXPORT(env, exports, "depthwiseImpl", depthwiseImpl);
  CN_EXPORT(env, exports, "convCacheSize", convCacheSize);
}

}  // namespace cn
