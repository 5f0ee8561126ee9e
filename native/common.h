// Shared helpers for the contrastive native addon: argument unpacking with bounds checks,
// and the wrapper that turns every C++ exception into a JavaScript error.
#pragma once
#include <napi.h>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace cn {

/** A Float32Array argument: pointer and length (in elements). */
struct F32 {
  float* data;
  size_t length;
};

/** Reads argument `i` as a Float32Array holding at least `need` elements. */
inline F32 f32(const Napi::CallbackInfo& info, size_t i, size_t need, const char* what) {
  if (i >= info.Length() || !info[i].IsTypedArray()) {
    throw std::invalid_argument(std::string(what) + " must be a Float32Array");
  }
  Napi::TypedArray t = info[i].As<Napi::TypedArray>();
  if (t.TypedArrayType() != napi_float32_array) {
    throw std::invalid_argument(std::string(what) + " must be a Float32Array");
  }
  Napi::Float32Array a = t.As<Napi::Float32Array>();
  if (a.ElementLength() < need) {
    throw std::invalid_argument(std::string(what) + " has " + std::to_string(a.ElementLength()) +
                                " elements, needs " + std::to_string(need));
  }
  return {a.Data(), a.ElementLength()};
}

/** Reads argument `i` as a Uint8Array (tfjs's bool storage) holding at least `need` elements. */
inline uint8_t* u8(const Napi::CallbackInfo& info, size_t i, size_t need, const char* what) {
  if (i >= info.Length() || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw std::invalid_argument(std::string(what) + " must be a Uint8Array");
  }
  Napi::Uint8Array a = info[i].As<Napi::Uint8Array>();
  if (a.ElementLength() < need) {
    throw std::invalid_argument(std::string(what) + " has " + std::to_string(a.ElementLength()) + " elements, needs " +
                                std::to_string(need));
  }
  return a.Data();
}

/** Optional Float32Array: null/undefined gives {nullptr, 0}. */
inline F32 f32opt(const Napi::CallbackInfo& info, size_t i, size_t need, const char* what) {
  if (i >= info.Length() || info[i].IsNull() || info[i].IsUndefined()) return {nullptr, 0};
  return f32(info, i, need, what);
}

/** Reads argument `i` as a non-negative integer. */
inline int64_t integer(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsNumber()) throw std::invalid_argument(std::string(what) + " must be a number");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0) || v > 9.0e15 || v != (double)(int64_t)v) {
    throw std::invalid_argument(std::string(what) + " must be a non-negative integer, got " + std::to_string(v));
  }
  return (int64_t)v;
}

inline double number(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsNumber()) throw std::invalid_argument(std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

/** Reads argument `i` as an array of integers (may be negative) of length `n`. */
inline std::vector<int64_t> ints(const Napi::CallbackInfo& info, size_t i, size_t n, const char* what) {
  if (i >= info.Length() || !info[i].IsArray()) throw std::invalid_argument(std::string(what) + " must be an array");
  Napi::Array a = info[i].As<Napi::Array>();
  if (a.Length() != n) {
    throw std::invalid_argument(std::string(what) + " must have " + std::to_string(n) + " entries, got " +
                                std::to_string(a.Length()));
  }
  std::vector<int64_t> out(n);
  for (uint32_t k = 0; k < n; k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) throw std::invalid_argument(std::string(what) + " entries must be numbers");
    double d = v.As<Napi::Number>().DoubleValue();
    if (d != (double)(int64_t)d || d > 9.0e15 || d < -9.0e15) throw std::invalid_argument(std::string(what) + " entries must be integers");
    out[k] = (int64_t)d;
  }
  return out;
}

/** Reads a variable-length integer array. */
inline std::vector<int64_t> intList(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsArray()) throw std::invalid_argument(std::string(what) + " must be an array");
  return ints(info, i, info[i].As<Napi::Array>().Length(), what);
}

inline void require(bool ok, const std::string& msg) {
  if (!ok) throw std::invalid_argument(msg);
}

/** Product of dims, with an overflow guard. */
inline size_t prod(const std::vector<int64_t>& d, size_t from = 0, size_t to = SIZE_MAX) {
  size_t p = 1;
  for (size_t i = from; i < d.size() && i < to; i++) {
    require(d[i] >= 0, "dimensions must be >= 0");
    p *= (size_t)d[i];
    require(p < ((size_t)1 << 40), "tensor too large");
  }
  return p;
}

/**
 * Elements below which a memory-bound loop (element-wise, reductions, batch norm) stays on one
 * thread. A parallel region wakes the other threads: microseconds on an idle machine, but a whole
 * scheduler time slice (12 ms measured, per region) when other processes hold the cores; one
 * thread covers this many elements in a few tenths of a millisecond.
 */
constexpr int64_t kParallelMin = (int64_t)1 << 19;
// GEMMs of fewer multiply-adds than this run on one BLAS thread (native/gemm.cc).
constexpr double kGemmParallelMin = (double)((int64_t)1 << 23);

using Fn = Napi::Value (*)(const Napi::CallbackInfo&);

/** Calls `fn`, converting any C++ exception into a thrown JS Error (never a crash). */
template <Fn fn>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    return fn(info);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    Napi::Error::New(env, std::string("native: ") + e.what()).ThrowAsJavaScriptException();
  } catch (...) {
    Napi::Error::New(env, "native: unknown C++ exception").ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// Registration of each kernel family (one per source file).
std::string openblasConfig();
void initGemm(Napi::Env env, Napi::Object exports);
void initConv(Napi::Env env, Napi::Object exports);
void initPool(Napi::Env env, Napi::Object exports);
void initElementwise(Napi::Env env, Napi::Object exports);
void initReduce(Napi::Env env, Napi::Object exports);
void initBatchNorm(Napi::Env env, Napi::Object exports);
void initGru(Napi::Env env, Napi::Object exports);
void initLstm(Napi::Env env, Napi::Object exports);
void initChannel(Napi::Env env, Napi::Object exports);
void initPeak(Napi::Env env, Napi::Object exports);
void initClip(Napi::Env env, Napi::Object exports);

/** Registers fn under `name` through the exception guard. */
#define CN_EXPORT(env, exports, name, fn) \
  (exports).Set(name, Napi::Function::New(env, ::cn::guarded<fn>, name))

}  // namespace cn
