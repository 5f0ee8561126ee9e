// OpenMP when the compiler has it (g++ -fopenmp); single-threaded stand-ins otherwise
// (Apple clang without libomp), so the addon still builds there.
#pragma once
#ifdef _OPENMP
#include <omp.h>
#else
#include <chrono>
inline int omp_get_max_threads() { return 1; }
inline int omp_get_thread_num() { return 0; }
inline int omp_get_num_threads() { return 1; }
inline void omp_set_num_threads(int) {}
inline double omp_get_wtime() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
#endif
