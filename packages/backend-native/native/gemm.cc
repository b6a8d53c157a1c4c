#include "gemm.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "threadpool.h"

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <immintrin.h>
#include <intrin.h>
#endif

namespace dn {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

#if defined(DN_HAVE_X86_KERNELS)
#if defined(_MSC_VER) && !defined(__clang__)
bool cpu_has_avx2_fma() {
  int r[4];
  __cpuid(r, 0);
  if (r[0] < 7) return false;
  __cpuid(r, 1);
  const bool fma = (r[2] >> 12) & 1, osxsave = (r[2] >> 27) & 1, avx = (r[2] >> 28) & 1;
  if (!(fma && osxsave && avx)) return false;
  if ((_xgetbv(0) & 0x6) != 0x6) return false;
  __cpuidex(r, 7, 0);
  return (r[1] >> 5) & 1;
}
bool cpu_has_avx512f() {
  if (!cpu_has_avx2_fma()) return false;
  int r[4];
  __cpuidex(r, 7, 0);
  if (!((r[1] >> 16) & 1)) return false;
  return (_xgetbv(0) & 0xe6) == 0xe6;
}
#else
// GCC/Clang: __builtin_cpu_supports also checks that the OS saves the registers (XCR0).
bool cpu_has_avx2_fma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
bool cpu_has_avx512f() {
  __builtin_cpu_init();
  return cpu_has_avx2_fma() && __builtin_cpu_supports("avx512f");
}
#endif
#endif

int detect_level() {
#if defined(DN_HAVE_X86_KERNELS)
  if (cpu_has_avx512f()) return 2;
  if (cpu_has_avx2_fma()) return 1;
#endif
  return 0;
}

KernelSet* kernels_for(int level) {
#if defined(DN_HAVE_X86_KERNELS)
  if (level >= 2) return kernels_avx512();
  if (level == 1) return kernels_avx2();
#else
  (void)level;
#endif
  return kernels_generic();
}

int initial_level() {
  int level = detect_level();
  if (const char* env = std::getenv("DISTILLERY_NATIVE_SIMD")) {
    int want = level;
    if (std::strcmp(env, "scalar") == 0) want = 0;
    if (std::strcmp(env, "avx2") == 0) want = 1;
    if (std::strcmp(env, "avx512") == 0) want = 2;
    if (want < level) level = want;
  }
  return level;
}

std::atomic<int> g_level{initial_level()};

// The epilogue alone, for K == 0 (the product is empty): C = act((accumulate ? C : 0) + bias).
void epilogue_only(const GemmArgs& g) {
  const Epilogue& e = g.epi;
  for (int64_t i = 0; i < g.M; ++i) {
    float* c = g.C + i * g.ldc;
    for (int64_t j = 0; j < g.N; ++j) {
      float x = g.accumulate ? c[j] : 0.f;
      if (e.bias != nullptr) x += e.bias[j];
      switch (e.act) {
        case kActRelu:
          x = x < 0.f ? 0.f : x;
          break;
        case kActRelu6:
          x = x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
          break;
        case kActLeakyRelu:
          x = x < 0.f ? e.alpha * x : x;
          break;
        case kActSigmoid:
          x = 1.f / (1.f + std::exp(-x));
          break;
        case kActElu:
          x = x >= 0.f ? x : std::expm1(x);
          break;
        case kActPrelu:
          x = x < 0.f ? e.prelu[j] * x : x;
          break;
        default:
          break;
      }
      c[j] = x;
    }
  }
}

struct Buffer {
  void* raw = nullptr;
  float* p = nullptr;
  size_t n = 0;
  ~Buffer() { std::free(raw); }
};

}  // namespace

float* thread_buffer(int slot, size_t floats) {
  thread_local Buffer buffers[4];
  Buffer& b = buffers[slot];
  if (b.n < floats) {
    std::free(b.raw);
    b.raw = std::malloc(floats * sizeof(float) + 64);
    if (b.raw == nullptr) {
      b.n = 0;
      b.p = nullptr;
      std::abort();
    }
    b.p = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(b.raw) + 63) & ~uintptr_t{63});
    b.n = floats;
  }
  return b.p;
}

const KernelSet& active_kernels() { return *kernels_for(g_level.load(std::memory_order_relaxed)); }
int detected_simd_level() { return detect_level(); }
int set_simd_level(int level) {
  const int best = detect_level();
  if (level > best) level = best;
  if (level < 0) level = 0;
  g_level.store(level, std::memory_order_relaxed);
  return level;
}

void sgemm_serial(const GemmArgs& g) {
  if (g.M <= 0 || g.N <= 0) return;
  if (g.K <= 0) {
    epilogue_only(g);
    return;
  }
  const KernelSet& ks = active_kernels();
  ks.gemm_block(ks, g, 0, g.M, 0, g.N, thread_buffer(0, workspace_floats(ks)));
}

void sgemm(const GemmArgs& g, int want_threads) {
  if (g.M <= 0 || g.N <= 0) return;
  if (g.K <= 0) {
    epilogue_only(g);
    return;
  }
  const KernelSet& ks = active_kernels();
  const int64_t tiles_m = ceil_div(g.M, ks.mr), tiles_n = ceil_div(g.N, ks.nr);
  int nt = want_threads < pool_threads() ? want_threads : pool_threads();
  if (2.0 * g.M * g.N * g.K < kParallelMinFlops) nt = 1;
  // Grid tm x tn of sub-blocks, one per participant: each packs its rows of A and its columns of B, so
  // the duplicated packing is (tn - 1) * M*K + (tm - 1) * K*N; pick the cheapest grid that has at least
  // one micro-tile per part.
  int best_tm = 1, best_tn = 1;
  while (nt > 1) {
    double best_cost = -1;
    for (int tm = 1; tm <= nt; ++tm) {
      if (nt % tm != 0) continue;
      const int tn = nt / tm;
      if (tm > tiles_m || tn > tiles_n) continue;
      // Balance: the largest part in micro-tiles against the ideal share.
      const double imbalance = static_cast<double>(ceil_div(tiles_m, tm) * ceil_div(tiles_n, tn)) * nt /
                               static_cast<double>(tiles_m * tiles_n);
      const double cost = (static_cast<double>(tn) * g.M + static_cast<double>(tm) * g.N) * g.K +
                          (imbalance - 1.0) * 2.0 * g.M * g.N * g.K / 16.0;
      if (best_cost < 0 || cost < best_cost) {
        best_cost = cost;
        best_tm = tm;
        best_tn = tn;
      }
    }
    if (best_cost >= 0) break;
    --nt;
  }
  if (nt <= 1) {
    ks.gemm_block(ks, g, 0, g.M, 0, g.N, thread_buffer(0, workspace_floats(ks)));
    return;
  }
  // One part per participant, claimed dynamically (a participant that is late finds none left).
  const size_t ws_floats = workspace_floats(ks);
  parallel_for(nt, best_tm * best_tn, [&](int64_t part, int) {
    const int64_t pm = part / best_tn, pn = part % best_tn;
    int64_t tm0, tm1, tn0, tn1;
    split_range(tiles_m, pm, best_tm, &tm0, &tm1);
    split_range(tiles_n, pn, best_tn, &tn0, &tn1);
    const int64_t m0 = tm0 * ks.mr, m1 = tm1 * ks.mr < g.M ? tm1 * ks.mr : g.M;
    const int64_t n0 = tn0 * ks.nr, n1 = tn1 * ks.nr < g.N ? tn1 * ks.nr : g.N;
    if (m0 < m1 && n0 < n1) ks.gemm_block(ks, g, m0, m1, n0, n1, thread_buffer(0, ws_floats));
  });
}

void sgemm_batched(const GemmArgs& g, int64_t batch, int64_t a_stride, int64_t b_stride, int64_t c_stride) {
  if (batch <= 0) return;
  const double flops = 2.0 * g.M * g.N * g.K;
  const int nt = pool_threads();
  auto one = [&](int64_t i) {
    GemmArgs gi = g;
    gi.A = g.A + i * a_stride;
    gi.B = g.B + i * b_stride;
    gi.C = g.C + i * c_stride;
    return gi;
  };
  // Many small products: one product per participant at a time. Otherwise each product is split.
  if (batch > 1 && nt > 1 && flops * batch >= kParallelMinFlops && flops < 64.0 * kParallelMinFlops) {
    parallel_for(nt, batch, [&](int64_t i, int) { sgemm_serial(one(i)); });
    return;
  }
  for (int64_t i = 0; i < batch; ++i) sgemm(one(i), nt);
}

}  // namespace dn
