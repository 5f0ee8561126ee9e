// Depthwise 2-D convolution through oneDNN, as a grouped convolution with one group per input
// channel: forward (optionally with fused bias and activation), backward-data and
// backward-weights. Tensors stay in tfjs's layouts: activations NHWC, filters [KH, KW, C, M]
// (M = channel multiplier; output channel c * M + m, which is oneDNN's group-major order).
// oneDNN picks its own weight layout; primitives and weight reorders are cached by shape.
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

/** Geometry of one depthwise convolution (M: channel multiplier; output channels C * M). */
struct DwGeometry {
  int64_t N, H, W, C, KH, KW, M, OH, OW, sh, sw, dh, dw, pt, pl, pb, pr;
  std::string key() const {
    std::string s;
    for (int64_t v : {N, H, W, C, KH, KW, M, OH, OW, sh, sw, dh, dw, pt, pl, pb, pr}) s += std::to_string(v) + ",";
    return s;
  }
  memory::desc src() const { return {{N, C, H, W}, dt::f32, tag::nhwc}; }
  memory::desc dst() const { return {{N, C * M, OH, OW}, dt::f32, tag::nhwc}; }
  /** tfjs's [KH, KW, C, M] as oneDNN's grouped weights [G = C, O = M, I = 1, KH, KW]. */
  memory::desc userWeights() const { return {{C, M, 1, KH, KW}, dt::f32, {M, 1, 1, KW * C * M, C * M}}; }
  memory::desc anyWeights() const { return {{C, M, 1, KH, KW}, dt::f32, tag::any}; }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims dilates() const { return {dh - 1, dw - 1}; }
  memory::dims padL() const { return {pt, pl}; }
  memory::dims padR() const { return {pb, pr}; }
  size_t xSize() const { return (size_t)(N * H * W * C); }
  size_t ySize() const { return (size_t)(N * OH * OW * C * M); }
  size_t wSize() const { return (size_t)(KH * KW * C * M); }
};

DwGeometry readDwGeometry(const Napi::CallbackInfo& info, size_t i) {
  auto p = ints(info, i, 17, "depthwise params");
  DwGeometry g{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16]};
  for (size_t k = 0; k < 13; k++) require(p[k] >= 1, "depthwise: sizes, strides and dilations must be >= 1");
  for (size_t k = 13; k < 17; k++) require(p[k] >= 0, "depthwise: paddings must be >= 0");
  const int64_t keh = (g.KH - 1) * g.dh + 1, kew = (g.KW - 1) * g.dw + 1;
  require(g.H + g.pt + g.pb >= keh && g.W + g.pl + g.pr >= kew, "depthwise: filter larger than the padded input");
  require((g.H + g.pt + g.pb - keh) / g.sh + 1 == g.OH && (g.W + g.pl + g.pr - kew) / g.sw + 1 == g.OW,
          "depthwise: output size inconsistent with input, filter, strides and paddings");
  return g;
}

primitive_attr dwActivationAttr(int act, float alpha) {
  primitive_attr attr;
  if (act == kActLinear) return attr;
  post_ops po;
  switch (act) {
    case kActRelu: po.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); break;
    case kActRelu6: po.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 6.f); break;
    case kActLeakyRelu: po.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f); break;
    case kActSigmoid: po.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f); break;
    case kActElu: po.append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f); break;
    default: throw std::invalid_argument("depthwise: unknown activation");
  }
  attr.set_post_ops(po);
  return attr;
}

convolution_forward::primitive_desc dwForwardDesc(const DwGeometry& g, bool bias, int act, float alpha) {
  memory::desc biasMd = bias ? memory::desc({g.C * g.M}, dt::f32, tag::a) : memory::desc();
  auto d = convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, g.src(), g.anyWeights(), biasMd,
                                     g.dst(), g.strides(), g.dilates(), g.padL(), g.padR());
  return convolution_forward::primitive_desc(d, dwActivationAttr(act, alpha), cpuEngine());
}

/** A weight reorder between tfjs's layout and the primitive's, on one thread (weights are small). */
struct DwWeights {
  bool needed = false;
  memory user, inner;
  reorder prim;
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
    inner = memory(innerMd, cpuEngine());
    prim = toInner ? reorder(user, inner) : reorder(inner, user);
  }
};

struct DwForward {
  convolution_forward prim;
  memory src, dst, bias;
  DwWeights w;
  std::string impl;
};
struct DwBackwardData {
  convolution_backward_data prim;
  memory diffSrc, diffDst;
  DwWeights w;
  std::string impl;
};
struct DwBackwardWeights {
  convolution_backward_weights prim;
  memory src, diffDst;
  DwWeights w;
  std::string impl;
};

std::unordered_map<std::string, std::unique_ptr<DwForward>> dwForwardCache;
std::unordered_map<std::string, std::unique_ptr<DwBackwardData>> dwBackwardDataCache;
std::unordered_map<std::string, std::unique_ptr<DwBackwardWeights>> dwBackwardWeightsCache;

DwForward& dwForwardFor(const DwGeometry& g, bool bias, int act, float alpha) {
  std::string key = g.key() + (bias ? "b" : "") + std::to_string(act) + ":" + std::to_string(alpha);
  auto it = dwForwardCache.find(key);
  if (it != dwForwardCache.end()) return *it->second;
  auto pd = dwForwardDesc(g, bias, act, alpha);
  auto f = std::make_unique<DwForward>();
  f->prim = convolution_forward(pd);
  f->src = memory(g.src(), cpuEngine(), DNNL_MEMORY_NONE);
  f->dst = memory(g.dst(), cpuEngine(), DNNL_MEMORY_NONE);
  if (bias) f->bias = memory(pd.bias_desc(), cpuEngine(), DNNL_MEMORY_NONE);
  f->w.init(g.userWeights(), pd.weights_desc(), true);
  f->impl = pd.impl_info_str();
  return *dwForwardCache.emplace(key, std::move(f)).first->second;
}

DwBackwardData& dwBackwardDataFor(const DwGeometry& g) {
  std::string key = g.key();
  auto it = dwBackwardDataCache.find(key);
  if (it != dwBackwardDataCache.end()) return *it->second;
  auto hint = dwForwardDesc(g, false, kActLinear, 0.f);
  auto d = convolution_backward_data::desc(algorithm::convolution_direct, g.src(), g.anyWeights(), g.dst(), g.strides(),
                                           g.dilates(), g.padL(), g.padR());
  convolution_backward_data::primitive_desc pd(d, cpuEngine(), hint);
  auto b = std::make_unique<DwBackwardData>();
  b->prim = convolution_backward_data(pd);
  b->diffSrc = memory(g.src(), cpuEngine(), DNNL_MEMORY_NONE);
  b->diffDst = memory(g.dst(), cpuEngine(), DNNL_MEMORY_NONE);
  b->w.init(g.userWeights(), pd.weights_desc(), true);
  b->impl = pd.impl_info_str();
  return *dwBackwardDataCache.emplace(key, std::move(b)).first->second;
}

DwBackwardWeights& dwBackwardWeightsFor(const DwGeometry& g) {
  std::string key = g.key();
  auto it = dwBackwardWeightsCache.find(key);
  if (it != dwBackwardWeightsCache.end()) return *it->second;
  auto hint = dwForwardDesc(g, false, kActLinear, 0.f);
  auto d = convolution_backward_weights::desc(algorithm::convolution_direct, g.src(), g.anyWeights(), g.dst(), g.strides(),
                                              g.dilates(), g.padL(), g.padR());
  convolution_backward_weights::primitive_desc pd(d, cpuEngine(), hint);
  auto b = std::make_unique<DwBackwardWeights>();
  b->prim = convolution_backward_weights(pd);
  b->src = memory(g.src(), cpuEngine(), DNNL_MEMORY_NONE);
  b->diffDst = memory(g.dst(), cpuEngine(), DNNL_MEMORY_NONE);
  b->w.init(g.userWeights(), pd.diff_weights_desc(), false);
  b->impl = pd.impl_info_str();
  return *dwBackwardWeightsCache.emplace(key, std::move(b)).first->second;
}

}  // namespace

// depthwiseConv2d(x, w, y, params, bias|null, act, alpha): y = act(depthwise(x, w) + bias)
static Napi::Value depthwiseConv2d(const Napi::CallbackInfo& info) {
  DwGeometry g = readDwGeometry(info, 3);
  F32 x = f32(info, 0, g.xSize(), "depthwiseConv2d x"), w = f32(info, 1, g.wSize(), "depthwiseConv2d w");
  F32 y = f32(info, 2, g.ySize(), "depthwiseConv2d y");
  F32 bias = f32opt(info, 4, (size_t)(g.C * g.M), "depthwiseConv2d bias");
  const int act = (int)integer(info, 5, "act");
  const float alpha = (float)number(info, 6, "alpha");
  DwForward& f = dwForwardFor(g, bias.data != nullptr, act, alpha);
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

// depthwiseConv2dBackpropInput(dy, w, dx, params): dx = depthwise^T(dy, w)
static Napi::Value depthwiseConv2dBackpropInput(const Napi::CallbackInfo& info) {
  DwGeometry g = readDwGeometry(info, 3);
  F32 dy = f32(info, 0, g.ySize(), "depthwiseConv2dBackpropInput dy"), w = f32(info, 1, g.wSize(), "depthwiseConv2dBackpropInput w");
  F32 dx = f32(info, 2, g.xSize(), "depthwiseConv2dBackpropInput dx");
  DwBackwardData& b = dwBackwardDataFor(g);
  stream& s = cpuStream();
  b.w.user.set_data_handle(w.data);
  if (b.w.needed) b.w.run(s, true);
  b.diffDst.set_data_handle(dy.data);
  b.diffSrc.set_data_handle(dx.data);
  b.prim.execute(s, {{DNNL_ARG_DIFF_DST, b.diffDst}, {DNNL_ARG_WEIGHTS, b.w.needed ? b.w.inner : b.w.user}, {DNNL_ARG_DIFF_SRC, b.diffSrc}});
  s.wait();
  return info.Env().Undefined();
}

// depthwiseConv2dBackpropFilter(x, dy, dw, params): dw[kh, kw, c, m] = sum over batch and positions
static Napi::Value depthwiseConv2dBackpropFilter(const Napi::CallbackInfo& info) {
  DwGeometry g = readDwGeometry(info, 3);
  F32 x = f32(info, 0, g.xSize(), "depthwiseConv2dBackpropFilter x"), dy = f32(info, 1, g.ySize(), "depthwiseConv2dBackpropFilter dy");
  F32 dw = f32(info, 2, g.wSize(), "depthwiseConv2dBackpropFilter dw");
  DwBackwardWeights& b = dwBackwardWeightsFor(g);
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
// backward-weights primitives of this geometry (diagnostics: "jit:..." or "ref:...").
static Napi::Value depthwiseImpl(const Napi::CallbackInfo& info) {
  DwGeometry g = readDwGeometry(info, 0);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("forward", dwForwardFor(g, false, kActLinear, 0.f).impl);
  o.Set("backwardData", dwBackwardDataFor(g).impl);
  o.Set("backwardWeights", dwBackwardWeightsFor(g).impl);
  return o;
}

void initDepthwise(Napi::Env env, Napi::Object exports) {
  CN_EXPORT(env, exports, "depthwiseConv2d", depthwiseConv2d);
  CN_EXPORT(env, exports, "depthwiseConv2dBackpropInput", depthwiseConv2dBackpropInput);
  CN_EXPORT(env, exports, "depthwiseConv2dBackpropFilter", depthwiseConv2dBackpropFilter);
  CN_EXPORT(env, exports, "depthwiseImpl", depthwiseImpl);
}

}  // namespace cn
