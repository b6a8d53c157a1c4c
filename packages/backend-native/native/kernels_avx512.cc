// AVX-512F flavour of the GEMM (compiled with -mavx512f -mfma only for this file; selected at run time).
#include <immintrin.h>

#include <cmath>
#include <cstdint>

#include "common.h"

// Micro-tile DN_AVX512_MR x (16 * DN_AVX512_NV) and cache blocks; overridable with -D for tuning.
#ifndef DN_AVX512_MR
#define DN_AVX512_MR 12
#endif
#ifndef DN_AVX512_NV
#define DN_AVX512_NV 2
#endif
#ifndef DN_AVX512_MC
#define DN_AVX512_MC 3072
#endif
#ifndef DN_AVX512_KC
#define DN_AVX512_KC 384
#endif
#ifndef DN_AVX512_NC
#define DN_AVX512_NC 512
#endif

namespace dn {
namespace {

struct V {
  using T = __m512;
  static constexpr int W = 16;
  static inline T zero() { return _mm512_setzero_ps(); }
  static inline T load(const float* p) { return _mm512_loadu_ps(p); }
  static inline void store(float* p, T x) { _mm512_storeu_ps(p, x); }
  static inline T set1(float x) { return _mm512_set1_ps(x); }
  static inline T fmadd(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static inline T add(T a, T b) { return _mm512_add_ps(a, b); }

  // 2^n * (1 + p(r)) with x = n ln2 + r, |r| <= ln2/2; returns s = 2^n and p = expm1(r).
  static inline void exp_parts(T x, T* s, T* p) {
    x = _mm512_min_ps(_mm512_set1_ps(88.3f), _mm512_max_ps(_mm512_set1_ps(-87.3f), x));
    const T n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    T r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    T q = _mm512_set1_ps(1.f / 5040.f);
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(1.f / 720.f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(1.f / 120.f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(1.f / 24.f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(1.f / 6.f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(0.5f));
    *p = _mm512_fmadd_ps(_mm512_mul_ps(q, r), r, r);
    const __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    *s = _mm512_castsi512_ps(e);
  }
  static inline T exp(T x) {
    T s, p;
    exp_parts(x, &s, &p);
    T y = _mm512_fmadd_ps(s, p, s);
    y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, _mm512_set1_ps(88.7228f), _CMP_GT_OQ),
                           _mm512_set1_ps(INFINITY));
    return _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.3f), _CMP_LT_OQ), _mm512_setzero_ps());
  }
  static inline T expm1(T x) {
    T s, p;
    exp_parts(x, &s, &p);
    T y = _mm512_fmadd_ps(s, p, _mm512_sub_ps(s, _mm512_set1_ps(1.f)));
    return _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.3f), _CMP_LT_OQ), _mm512_set1_ps(-1.f));
  }

  // max/min take the second operand when either is NaN, so NaN propagates like the JS kernels.
  static inline T activate(T x, int act, T alpha, T prelu) {
    switch (act) {
      case kActRelu:
        return _mm512_max_ps(_mm512_setzero_ps(), x);
      case kActRelu6:
        return _mm512_min_ps(_mm512_set1_ps(6.f), _mm512_max_ps(_mm512_setzero_ps(), x));
      case kActLeakyRelu:
        return _mm512_mask_mul_ps(x, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), x, alpha);
      case kActSigmoid:
        return _mm512_div_ps(_mm512_set1_ps(1.f),
                             _mm512_add_ps(_mm512_set1_ps(1.f), exp(_mm512_sub_ps(_mm512_setzero_ps(), x))));
      case kActElu:
        return _mm512_mask_mov_ps(x, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), expm1(x));
      case kActPrelu:
        return _mm512_mask_mul_ps(x, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), x, prelu);
      default:
        return x;
    }
  }
};

#define DN_VEC_EPI 1
#include "gemm_impl.inc"
#undef DN_VEC_EPI

using G = Gemm<DN_AVX512_MR, DN_AVX512_NV>;

}  // namespace

KernelSet* kernels_avx512() {
  static KernelSet ks = {"avx512", DN_AVX512_MR, G::NR, DN_AVX512_MC, DN_AVX512_KC, DN_AVX512_NC, &G::gemm_block};
  return &ks;
}

}  // namespace dn
