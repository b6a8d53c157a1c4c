// Portable flavour of the GEMM: GCC/Clang vector extensions (SSE2 on x86-64, NEON on arm64) or, with other
// compilers, plain floats. Used when the CPU has neither AVX-512F nor AVX2+FMA, and on non-x86 builds.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "common.h"

namespace dn {
namespace {

#if defined(__GNUC__) || defined(__clang__)
typedef float dn_v4sf __attribute__((vector_size(16)));
struct V {
  using T = dn_v4sf;
  static constexpr int W = 4;
  static inline T zero() { return T{0.f, 0.f, 0.f, 0.f}; }
  static inline T load(const float* p) {
    T x;
    std::memcpy(&x, p, sizeof(x));
    return x;
  }
  static inline void store(float* p, T x) { std::memcpy(p, &x, sizeof(x)); }
  static inline T set1(float x) { return T{x, x, x, x}; }
  static inline T fmadd(T a, T b, T c) { return a * b + c; }
  static inline T add(T a, T b) { return a + b; }
};
constexpr int kMR = 4, kNV = 2;
#else
struct V {
  using T = float;
  static constexpr int W = 1;
  static inline T zero() { return 0.f; }
  static inline T load(const float* p) { return *p; }
  static inline void store(float* p, T x) { *p = x; }
  static inline T set1(float x) { return x; }
  static inline T fmadd(T a, T b, T c) { return a * b + c; }
  static inline T add(T a, T b) { return a + b; }
};
constexpr int kMR = 4, kNV = 4;
#endif

#define DN_VEC_EPI 0
#include "gemm_impl.inc"
#undef DN_VEC_EPI

using G = Gemm<kMR, kNV>;

}  // namespace

KernelSet* kernels_generic() {
  static KernelSet ks = {"scalar", kMR, G::NR, 3072, 256, 256, &G::gemm_block};
  return &ks;
}

size_t workspace_floats(const KernelSet& ks) {
  const int64_t mc = (ks.mc + ks.mr - 1) / ks.mr * ks.mr;
  const int64_t nc = (ks.nc + ks.nr - 1) / ks.nr * ks.nr;
  return static_cast<size_t>(mc * ks.kc + ks.kc * nc + 64);
}

}  // namespace dn
