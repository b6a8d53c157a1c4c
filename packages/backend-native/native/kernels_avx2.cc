// AVX2 + FMA flavour of the GEMM (compiled with -mavx2 -mfma only for this file; selected at run time).
#include <immintrin.h>

#include <cmath>
#include <cstdint>

#include "common.h"

// Micro-tile DN_AVX2_MR x (8 * DN_AVX2_NV) and cache blocks; overridable with -D for tuning.
#ifndef DN_AVX2_MR
#define DN_AVX2_MR 6
#endif
#ifndef DN_AVX2_NV
#define DN_AVX2_NV 2
#endif
#ifndef DN_AVX2_MC
#define DN_AVX2_MC 3072
#endif
#ifndef DN_AVX2_KC
#define DN_AVX2_KC 256
#endif
#ifndef DN_AVX2_NC
#define DN_AVX2_NC 512
#endif

namespace dn {
namespace {

struct V {
  using T = __m256;
  static constexpr int W = 8;
  static inline T zero() { return _mm256_setzero_ps(); }
  static inline T load(const float* p) { return _mm256_loadu_ps(p); }
  static inline void store(float* p, T x) { _mm256_storeu_ps(p, x); }
  static inline T set1(float x) { return _mm256_set1_ps(x); }
  static inline T fmadd(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static inline T add(T a, T b) { return _mm256_add_ps(a, b); }
  static inline T lt0(T x) { return _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ); }

  // 2^n * (1 + p(r)) with x = n ln2 + r, |r| <= ln2/2; returns s = 2^n and p = expm1(r).
  static inline void exp_parts(T x, T* s, T* p) {
    x = _mm256_min_ps(_mm256_set1_ps(88.3f), _mm256_max_ps(_mm256_set1_ps(-87.3f), x));
    const T n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    T r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    T q = _mm256_set1_ps(1.f / 5040.f);
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.f / 720.f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.f / 120.f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.f / 24.f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.f / 6.f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(0.5f));
    *p = _mm256_fmadd_ps(_mm256_mul_ps(q, r), r, r);
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    *s = _mm256_castsi256_ps(e);
  }
  static inline T exp(T x) {
    T s, p;
    exp_parts(x, &s, &p);
    T y = _mm256_fmadd_ps(s, p, s);
    y = _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY), _mm256_cmp_ps(x, _mm256_set1_ps(88.7228f), _CMP_GT_OQ));
    return _mm256_blendv_ps(y, _mm256_setzero_ps(), _mm256_cmp_ps(x, _mm256_set1_ps(-87.3f), _CMP_LT_OQ));
  }
  static inline T expm1(T x) {
    T s, p;
    exp_parts(x, &s, &p);
    const T y = _mm256_fmadd_ps(s, p, _mm256_sub_ps(s, _mm256_set1_ps(1.f)));
    return _mm256_blendv_ps(y, _mm256_set1_ps(-1.f), _mm256_cmp_ps(x, _mm256_set1_ps(-87.3f), _CMP_LT_OQ));
  }

  // max/min take the second operand when either is NaN, so NaN propagates like the JS kernels.
  static inline T activate(T x, int act, T alpha, T prelu) {
    switch (act) {
      case kActRelu:
        return _mm256_max_ps(_mm256_setzero_ps(), x);
      case kActRelu6:
        return _mm256_min_ps(_mm256_set1_ps(6.f), _mm256_max_ps(_mm256_setzero_ps(), x));
      case kActLeakyRelu:
        return _mm256_blendv_ps(x, _mm256_mul_ps(x, alpha), lt0(x));
      case kActSigmoid:
        return _mm256_div_ps(_mm256_set1_ps(1.f),
                             _mm256_add_ps(_mm256_set1_ps(1.f), exp(_mm256_sub_ps(_mm256_setzero_ps(), x))));
      case kActElu:
        return _mm256_blendv_ps(x, expm1(x), lt0(x));
      case kActPrelu:
        return _mm256_blendv_ps(x, _mm256_mul_ps(x, prelu), lt0(x));
      default:
        return x;
    }
  }
};

#define DN_VEC_EPI 1
#include "gemm_impl.inc"
#undef DN_VEC_EPI

using G = Gemm<DN_AVX2_MR, DN_AVX2_NV>;

}  // namespace

KernelSet* kernels_avx2() {
  static KernelSet ks = {"avx2", DN_AVX2_MR, G::NR, DN_AVX2_MC, DN_AVX2_KC, DN_AVX2_NC, &G::gemm_block};
  return &ks;
}

}  // namespace dn
