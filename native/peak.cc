// The machine's fp32 FMA peak: independent AVX2 (or AVX-512) FMA chains in registers, on 1..n OpenMP threads.
// Also the addon's thread controls (OpenMP for oneDNN and the element-wise kernels, OpenBLAS).
#include "common.h"
#include <cblas.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CN_X86 1
#endif
#include "omp_compat.h"

namespace cn {

#ifdef CN_X86
__attribute__((target("avx2,fma"))) static float fmaLoop(int64_t iters) {
  __m256 acc[12];
  for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps(0.001f * (float)i);
  const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
  for (int64_t k = 0; k < iters; k++) {
    for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], m, a);
  }
  __m256 s = acc[0];
  for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, acc[i]);
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0];
}

__attribute__((target("avx512f"))) static float fmaLoop512(int64_t iters) {
  __m512 acc[12];
  for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps(0.001f * (float)i);
  const __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-7f);
  for (int64_t k = 0; k < iters; k++) {
    for (int i = 0; i < 12; i++) acc[i] = _mm512_fmadd_ps(acc[i], m, a);
  }
  __m512 s = acc[0];
  for (int i = 1; i < 12; i++) s = _mm512_add_ps(s, acc[i]);
  return _mm512_reduce_add_ps(s);
}
#endif

// fmaPeak(threads, iters, width) -> GFLOP/s; width 256 (AVX2) or 512 (AVX-512F)
// (12 chains x lanes x 2 flops per iteration and thread) -> GFLOP/s (12 chains x 8 lanes x 2 flops per iteration and thread)
static Napi::Value fmaPeak(const Napi::CallbackInfo& info) {
  const int threads = (int)integer(info, 0, "threads");
  const int64_t iters = integer(info, 1, "iters");
  require(threads >= 1 && threads <= 1024, "fmaPeak: threads must be 1..1024");
#ifndef CN_X86
  require(false, "fmaPeak: needs an x86-64 CPU (AVX2/FMA or AVX-512F)");
  return info.Env().Undefined();
#else
  const int64_t width = info.Length() > 2 ? integer(info, 2, "width") : 256;
  require(width == 256 || width == 512, "fmaPeak: width must be 256 or 512");
  if (width == 256) require(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"), "fmaPeak: this CPU lacks AVX2/FMA");
  else require(__builtin_cpu_supports("avx512f"), "fmaPeak: this CPU lacks AVX-512F");
  auto run = [width](int64_t n) { return width == 512 ? fmaLoop512(n) : fmaLoop(n); };
  volatile float sink = 0.f;
  run(1000);  // warm up
  const double t0 = omp_get_wtime();
#pragma omp parallel num_threads(threads)
  {
    float v = run(iters);
#pragma omp atomic
    sink += v;
  }
  const double dt = omp_get_wtime() - t0;
  (void)sink;
  return Napi::Number::New(info.Env(), (double)threads * (double)iters * 12.0 * (double)(width / 32) * 2.0 / dt / 1e9);
#endif
}

// cpuSupports(name) -> bool, for "avx2", "fma", "avx512f": which build of the addon to load
static Napi::Value cpuSupports(const Napi::CallbackInfo& info) {
  require(info.Length() >= 1 && info[0].IsString(), "cpuSupports: name must be a string");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  bool ok = false;
#ifdef CN_X86
  if (name == "avx2") ok = __builtin_cpu_supports("avx2");
  else if (name == "fma") ok = __builtin_cpu_supports("fma");
  else if (name == "avx512f") ok = __builtin_cpu_supports("avx512f");
  else require(false, "cpuSupports: name must be avx2, fma or avx512f, got " + name);
#endif
  return Napi::Boolean::New(info.Env(), ok);
}

// setThreads(n): OpenMP (oneDNN, element-wise) and OpenBLAS thread counts
static Napi::Value setThreads(const Napi::CallbackInfo& info) {
  const int n = (int)integer(info, 0, "threads");
  require(n >= 1 && n <= 1024, "setThreads: threads must be 1..1024");
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
  return info.Env().Undefined();
}

// threads(): current OpenMP thread count
static Napi::Value threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

void initPeak(Napi::Env env, Napi::Object exports) {
  CN_EXPORT(env, exports, "fmaPeak", fmaPeak);
  CN_EXPORT(env, exports, "setThreads", setThreads);
  CN_EXPORT(env, exports, "cpuSupports", cpuSupports);
  CN_EXPORT(env, exports, "threads", threads);
}

}  // namespace cn
