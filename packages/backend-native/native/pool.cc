// Max and average pooling (NHWC) and their gradients, with tfjs-backend-cpu's semantics (see conv.h).
// Channels are the innermost loop everywhere, so the compiler vectorizes over them.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "conv.h"
#include "gemm.h"
#include "threadpool.h"

namespace dn {
namespace {

// In-bounds taps of one window along one axis: t = lo, lo+1, ..., hi-1 (tap index, not position).
struct Taps {
  int64_t start, lo, hi;  // position of tap 0, first and one-past-last in-bounds tap
};

Taps taps(int64_t o, int64_t stride, int64_t pad, int64_t f, int64_t dil, int64_t in) {
  Taps t;
  t.start = o * stride - pad;
  t.lo = 0;
  t.hi = f;
  if (t.start < 0) t.lo = std::min(f, (-t.start + dil - 1) / dil);
  // Largest tap with start + tap*dil <= in - 1.
  if (t.start + (f - 1) * dil >= in) t.hi = in - 1 - t.start < 0 ? 0 : (in - 1 - t.start) / dil + 1;
  if (t.hi < t.lo) t.hi = t.lo;
  return t;
}

// best = max(best, x) (first maximum wins: strict >, NaN never wins) and arg = t where x won; written
// with a mask so that it vectorizes (a branch per channel would be mispredicted on real data).
void select_max(const float* __restrict x, float* __restrict best, int32_t* __restrict arg, int m, int32_t t) {
  for (int c = 0; c < m; ++c) {
    const float v = x[c], b = best[c];
    const int32_t mask = -static_cast<int32_t>(v > b);
    best[c] = v > b ? v : b;
    arg[c] = (arg[c] & ~mask) | (t & mask);
  }
}

// Tasks of the gradients: (image, channel range) pairs whose dx regions are disjoint.
template <class F>
void for_image_channel_blocks(const PoolGeom& g, double work, F&& f) {
  const int nt = work < kParallelMinFlops / 4 ? 1 : pool_threads();
  int64_t groups = 1;
  if (nt > 1 && g.batch < nt) groups = std::min<int64_t>((nt + g.batch - 1) / g.batch, (g.C + 7) / 8);
  parallel_for(nt, g.batch * groups, [&](int64_t t, int) {
    int64_t c0, c1;
    split_range(g.C, t % groups, groups, &c0, &c1);
    f(t / groups, c0, c1);
  });
}

template <bool kMax>
void pool_forward(const float* x, float* out, const PoolGeom& g) {
  const int64_t C = g.C, rows = g.batch * g.outH;
  const double work = static_cast<double>(rows) * g.outW * g.fH * g.fW * C;
  const int nt = work < kParallelMinFlops / 4 ? 1 : pool_threads();
  parallel_for(nt, rows, [&](int64_t row, int) {
    const int64_t b = row / g.outH, oy = row % g.outH;
    const Taps ty = taps(oy, g.sH, g.padT, g.fH, g.dH, g.inH);
    for (int64_t ox = 0; ox < g.outW; ++ox) {
      const Taps tx = taps(ox, g.sW, g.padL, g.fW, g.dW, g.inW);
      float* o = out + ((b * g.outH + oy) * g.outW + ox) * C;
      const float init = kMax ? -std::numeric_limits<float>::infinity() : 0.f;
      for (int64_t c = 0; c < C; ++c) o[c] = init;
      for (int64_t ky = ty.lo; ky < ty.hi; ++ky) {
        const float* xrow = x + ((b * g.inH + ty.start + ky * g.dH) * g.inW) * C;
        for (int64_t kx = tx.lo; kx < tx.hi; ++kx) {
          const float* xp = xrow + (tx.start + kx * g.dW) * C;
          if (kMax) {
            for (int64_t c = 0; c < C; ++c) o[c] = xp[c] > o[c] ? xp[c] : o[c];
          } else {
            for (int64_t c = 0; c < C; ++c) o[c] += xp[c];
          }
        }
      }
      if (!kMax) {
        const float count = static_cast<float>((ty.hi - ty.lo) * (tx.hi - tx.lo));
        for (int64_t c = 0; c < C; ++c) o[c] = o[c] / count;  // 0/0 = NaN for an empty window, as in tfjs
      }
    }
  });
}

}  // namespace

void max_pool(const float* x, float* out, const PoolGeom& g) { pool_forward<true>(x, out, g); }
void avg_pool(const float* x, float* out, const PoolGeom& g) { pool_forward<false>(x, out, g); }

void max_pool_backprop(const float* dy, const float* x, float* dx, const PoolGeom& g) {
  const int64_t C = g.C, image = g.inH * g.inW * C;
  const double work = static_cast<double>(g.batch) * g.outH * g.outW * g.fH * g.fW * C;
  for_image_channel_blocks(g, work, [&](int64_t b, int64_t c0, int64_t c1) {
    const int64_t n = c1 - c0;
    float* dxb = dx + b * image;
    for (int64_t p = 0; p < g.inH * g.inW; ++p) std::memset(dxb + p * C + c0, 0, static_cast<size_t>(n) * sizeof(float));
    const float* xb = x + b * image;
    // Per output position: the in-bounds taps in window order (offsets in the image), then per channel
    // the best value and the index of its first occurrence among those taps.
    std::vector<int64_t> taps_at(static_cast<size_t>(g.fH * g.fW));
    float best[64];
    int32_t arg[64];
    for (int64_t oy = 0; oy < g.outH; ++oy) {
      const Taps ty = taps(oy, g.sH, g.padT, g.fH, g.dH, g.inH);
      for (int64_t ox = 0; ox < g.outW; ++ox) {
        const Taps tx = taps(ox, g.sW, g.padL, g.fW, g.dW, g.inW);
        int32_t count = 0;
        for (int64_t ky = ty.lo; ky < ty.hi; ++ky) {
          for (int64_t kx = tx.lo; kx < tx.hi; ++kx) {
            taps_at[count++] = ((ty.start + ky * g.dH) * g.inW + tx.start + kx * g.dW) * C;
          }
        }
        const float* d = dy + ((b * g.outH + oy) * g.outW + ox) * C;
        for (int64_t cb = c0; cb < c1; cb += 64) {
          const int64_t m = std::min<int64_t>(64, c1 - cb);
          for (int64_t c = 0; c < m; ++c) {
            best[c] = -std::numeric_limits<float>::infinity();
            arg[c] = -1;
          }
          for (int32_t t = 0; t < count; ++t) {
            select_max(xb + taps_at[t] + cb, best, arg, static_cast<int>(m), t);
          }
          for (int64_t c = 0; c < m; ++c) {
            if (arg[c] >= 0) dxb[taps_at[arg[c]] + cb + c] += d[cb + c];
          }
        }
      }
    }
  });
}

void avg_pool_backprop(const float* dy, float* dx, const PoolGeom& g) {
  const int64_t C = g.C, image = g.inH * g.inW * C;
  const double work = static_cast<double>(g.batch) * g.outH * g.outW * g.fH * g.fW * C;
  const float scale = 1.f / static_cast<float>(g.fH * g.fW);
  for_image_channel_blocks(g, work, [&](int64_t b, int64_t c0, int64_t c1) {
    const int64_t n = c1 - c0;
    float* dxb = dx + b * image;
    for (int64_t p = 0; p < g.inH * g.inW; ++p) std::memset(dxb + p * C + c0, 0, static_cast<size_t>(n) * sizeof(float));
    for (int64_t oy = 0; oy < g.outH; ++oy) {
      const Taps ty = taps(oy, g.sH, g.padT, g.fH, g.dH, g.inH);
      for (int64_t ox = 0; ox < g.outW; ++ox) {
        const Taps tx = taps(ox, g.sW, g.padL, g.fW, g.dW, g.inW);
        const float* d = dy + ((b * g.outH + oy) * g.outW + ox) * C + c0;
        for (int64_t ky = ty.lo; ky < ty.hi; ++ky) {
          for (int64_t kx = tx.lo; kx < tx.hi; ++kx) {
            float* p = dxb + ((ty.start + ky * g.dH) * g.inW + tx.start + kx * g.dW) * C + c0;
            for (int64_t c = 0; c < n; ++c) p[c] += d[c];
          }
        }
      }
    }
    // tfjs sums dy over the windows, then multiplies by 1 / (fH * fW).
    for (int64_t p = 0; p < g.inH * g.inW; ++p) {
      float* q = dxb + p * C + c0;
      for (int64_t c = 0; c < n; ++c) q[c] *= scale;
    }
  });
}

}  // namespace dn
