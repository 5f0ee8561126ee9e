// The one oneDNN CPU engine and stream the addon uses (created on first use).
#pragma once
#include <dnnl.hpp>

namespace cn {

inline dnnl::engine& cpuEngine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

inline dnnl::stream& cpuStream() {
  static dnnl::stream s(cpuEngine());
  return s;
}

}  // namespace cn
