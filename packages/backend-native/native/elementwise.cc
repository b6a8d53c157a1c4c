// Elementwise kernels (see elementwise.h). Compiled with -fno-math-errno (binding.gyp) so that sqrtf
// vectorises; the loops are simple enough for the compiler's auto-vectoriser at -O3.
#include "elementwise.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "threadpool.h"

namespace dn {
namespace {

constexpr float kOne = 1.f;

// Below this many elements one thread does the whole loop (a parallel region costs microseconds).
constexpr int64_t kParallelMin = 65536;
// Elements per piece a participant claims in a parallel region.
constexpr int64_t kPiece = 32768;

template <class F>
void run_split(int64_t n, F&& body) {
  if (n < kParallelMin || pool_threads() <= 1) {
    body(0, n);
    return;
  }
  const int64_t pieces = (n + kPiece - 1) / kPiece;
  parallel_for(pool_threads(), pieces, [&](int64_t p, int) {
    int64_t lo, hi;
    split_range(n, p, pieces, &lo, &hi);
    body(lo, hi);
  });
}

// Division and square root are throughput-bound rather than memory-bound, so on GCC/Linux x86-64 their
// loops are also compiled for AVX2 and AVX-512 and picked at load time (function multiversioning).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define DN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DN_CLONES
#endif

DN_CLONES void div_same(const float* a, const float* b, float* out, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; ++i) out[i] = a[i] / b[i];
}
DN_CLONES void div_scalar_left(float s, const float* b, float* out, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; ++i) out[i] = s / b[i];
}
DN_CLONES void div_scalar_right(const float* a, float s, float* out, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; ++i) out[i] = a[i] / s;
}
DN_CLONES void sqrt_loop(const float* x, float* out, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; ++i) out[i] = std::sqrt(x[i]);
}

DN_CLONES void adam_loop(const float* var, const float* m, const float* v, const float* g, float* var_out,
                         float* m_out, float* v_out, int64_t lo, int64_t hi, AdamScalars s) {
  for (int64_t i = lo; i < hi; ++i) {
    const float gi = g[i];
    const float mi = m[i] * s.beta1 + gi * s.one_minus_beta1;
    const float vi = v[i] * s.beta2 + (gi * gi) * s.one_minus_beta2;
    const float step = (mi / s.bias_correction1) / (std::sqrt(vi / s.bias_correction2) + s.epsilon);
    m_out[i] = mi;
    v_out[i] = vi;
    var_out[i] = var[i] + step * s.neg_learning_rate;
  }
}

struct Add { static inline float f(float x, float y) { return x + y; } };
struct Sub { static inline float f(float x, float y) { return x - y; } };
struct Mul { static inline float f(float x, float y) { return x * y; } };
struct Div { static inline float f(float x, float y) { return x / y; } };

template <class Op>
void binary(const float* a, bool as, const float* b, bool bs, float* out, int64_t n);

template <>
void binary<Div>(const float* a, bool as, const float* b, bool bs, float* out, int64_t n) {
  if (as && !bs) {
    const float s = a[0];
    run_split(n, [=](int64_t lo, int64_t hi) { div_scalar_left(s, b, out, lo, hi); });
  } else if (bs && !as) {
    const float s = b[0];
    run_split(n, [=](int64_t lo, int64_t hi) { div_scalar_right(a, s, out, lo, hi); });
  } else if (as && bs) {
    const float v = a[0] / b[0];
    run_split(n, [=](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) out[i] = v;
    });
  } else {
    run_split(n, [=](int64_t lo, int64_t hi) { div_same(a, b, out, lo, hi); });
  }
}

template <class Op>
void binary(const float* a, bool as, const float* b, bool bs, float* out, int64_t n) {
  if (as && !bs) {
    const float s = a[0];
    run_split(n, [=](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) out[i] = Op::f(s, b[i]);
    });
  } else if (bs && !as) {
    const float s = b[0];
    run_split(n, [=](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) out[i] = Op::f(a[i], s);
    });
  } else if (as && bs) {
    const float v = Op::f(a[0], b[0]);
    run_split(n, [=](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) out[i] = v;
    });
  } else {
    run_split(n, [=](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) out[i] = Op::f(a[i], b[i]);
    });
  }
}

}  // namespace

void binary_elementwise(int op, const float* a, bool as, const float* b, bool bs, float* out, int64_t n) {
  switch (op) {
    case kBinAdd: return binary<Add>(a, as, b, bs, out, n);
    case kBinSub: return binary<Sub>(a, as, b, bs, out, n);
    case kBinMul: return binary<Mul>(a, as, b, bs, out, n);
    case kBinDiv: return binary<Div>(a, as, b, bs, out, n);
    default: return;
  }
}

void unary_elementwise(int op, const float* x, float* out, int64_t n, float alpha) {
  switch (op) {
    case kUnSqrt:
      run_split(n, [=](int64_t lo, int64_t hi) { sqrt_loop(x, out, lo, hi); });
      return;
    case kUnSquare:
      run_split(n, [=](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) out[i] = x[i] * x[i];
      });
      return;
    case kUnRelu:
      // On the bit patterns, as the TypeScript kernel: a set sign bit gives +0, except on NaN.
      run_split(n, [=](int64_t lo, int64_t hi) {
        const int32_t* xb = reinterpret_cast<const int32_t*>(x);
        int32_t* ob = reinterpret_cast<int32_t*>(out);
        for (int64_t i = lo; i < hi; ++i) {
          const int32_t v = xb[i];
          const int32_t nan = (0x7f800000 - (v & 0x7fffffff)) >> 31;
          ob[i] = v & ~((v >> 31) & ~nan);
        }
      });
      return;
    case kUnStep:
      // Branch-free on the bit patterns (the select form did not vectorise and ran 10× slower than relu):
      // 1 above zero, else alpha, and NaN stays the NaN it was.
      run_split(n, [=](int64_t lo, int64_t hi) {
        const int32_t* xb = reinterpret_cast<const int32_t*>(x);
        int32_t* ob = reinterpret_cast<int32_t*>(out);
        int32_t one, below;
        std::memcpy(&one, &kOne, sizeof one);
        std::memcpy(&below, &alpha, sizeof below);
        for (int64_t i = lo; i < hi; ++i) {
          const int32_t v = xb[i];
          const int32_t magnitude = v & 0x7fffffff;
          const int32_t nan = (0x7f800000 - magnitude) >> 31;                    // all ones for NaN
          const int32_t positive = ((magnitude - 1) >> 31 | v >> 31) ^ -1;       // all ones above zero
          const int32_t step = (one & positive) | (below & ~positive);
          ob[i] = (v & nan) | (step & ~nan);
        }
      });
      return;
    default:
      return;
  }
}

void adam_update(const float* variable, const float* m, const float* v, const float* g, float* variable_out,
                 float* m_out, float* v_out, int64_t n, const AdamScalars& s) {
  const AdamScalars scalars = s;
  run_split(n, [=](int64_t lo, int64_t hi) { adam_loop(variable, m, v, g, variable_out, m_out, v_out, lo, hi, scalars); });
}

}  // namespace dn
