// Entry point of the contrastive native addon (oneDNN + OpenBLAS kernels for the `native`
// TensorFlow.js backend). Every exported function validates its buffers' sizes and turns C++
// exceptions into JavaScript errors; the TypeScript side validates shapes before calling.
#include "common.h"
#include <dnnl.hpp>

namespace cn {

static Napi::Value version(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("dnnl", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  o.Set("dnnlCpuRuntime", v->cpu_runtime == DNNL_RUNTIME_OMP ? "omp" : "other");
  o.Set("blas", openblasConfig());
  return o;
}

// throwTest(): raises a C++ exception, to test that it becomes a JS error.
static Napi::Value throwTest(const Napi::CallbackInfo&) { throw std::runtime_error("test exception from C++"); }

#ifdef __SANITIZE_ADDRESS__
// asanProbe(): ASan builds only; reads one float past a heap block, so that test:asan can
// check the sanitizer is live (the process must abort with heap-buffer-overflow).
static Napi::Value asanProbe(const Napi::CallbackInfo& info) {
  volatile float* p = new float[4];
  float v = p[4];
  delete[] p;
  return Napi::Number::New(info.Env(), v);
}
#endif

static Napi::Object init(Napi::Env env, Napi::Object exports) {
  initGemm(env, exports);
  initConv(env, exports);
  initPool(env, exports);
  initElementwise(env, exports);
  initReduce(env, exports);
  initBatchNorm(env, exports);
  initGru(env, exports);
  initLstm(env, exports);
  initChannel(env, exports);
  initPeak(env, exports);
  initClip(env, exports);
  CN_EXPORT(env, exports, "version", version);
  CN_EXPORT(env, exports, "throwTest", throwTest);
#ifdef __SANITIZE_ADDRESS__
  CN_EXPORT(env, exports, "asanProbe", asanProbe);
#endif
  return exports;
}

}  // namespace cn

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return cn::init(env, exports); }

NODE_API_MODULE(contrastive_native, InitAddon)
