// Convolutions as GEMMs over im2col row blocks:
//   forward          out[rows x outC]  = cols[rows x K] * W[K x outC]     (+ bias, activation)
//   backprop input   cols[rows x K]    = dy[rows x outC] * W^T             then col2im (scatter-add) into dx
//   backprop filter  dW[K x outC]     += cols[rows x K]^T * dy[rows x outC]
// with rows = (b, oy, ox) output positions and K = (ky, kx, c). A 1x1/stride-1/unpadded convolution (and
// one whose window covers the whole unpadded input) needs no im2col: x itself is the matrix.
// Row blocks are sized to stay in cache and are handed out to pool participants dynamically.
#include <algorithm>
#include <atomic>
#include <cstring>

#include "conv.h"
#include "gemm.h"
#include "threadpool.h"

namespace dn {
namespace {

// Floats of im2col block per participant (2 MiB: written, then read back by the GEMM's packing in cache).
constexpr int64_t kColBlockFloats = 512 * 1024;
// Partial sums of the filter gradient: enough groups to keep 8 threads busy, few enough that their
// buffers ((groups - 1) × the filter's size) stay small.
constexpr int64_t kFilterGroups = 8;

int64_t round_up(int64_t a, int64_t b) { return (a + b - 1) / b * b; }

int64_t patch_size(const ConvGeom& g) { return g.fH * g.fW * g.inC; }

// x is already the im2col matrix (one row per output position, K columns).
bool im2col_is_identity(const ConvGeom& g) {
  const bool pointwise = g.fH == 1 && g.fW == 1 && g.sH == 1 && g.sW == 1 && g.padT == 0 && g.padL == 0 &&
                         g.outH == g.inH && g.outW == g.inW;
  const bool whole = g.fH == g.inH && g.fW == g.inW && g.padT == 0 && g.padL == 0 && g.outH == 1 &&
                     g.outW == 1 && g.dH == 1 && g.dW == 1;
  return pointwise || whole;
}

// Rows [r0, r1) of the im2col matrix of x into col (row-major, K columns).
void im2col(const float* x, const ConvGeom& g, int64_t r0, int64_t r1, float* col) {
  const int64_t C = g.inC, K = patch_size(g);
  const size_t row_bytes = static_cast<size_t>(g.fW * C) * sizeof(float);
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t ox = r % g.outW, oy = (r / g.outW) % g.outH, b = r / (g.outW * g.outH);
    float* dst = col + (r - r0) * K;
    const int64_t ix0 = ox * g.sW - g.padL;
    // Taps kx in [kx_lo, kx_hi) fall inside the row.
    int64_t kx_lo = 0, kx_hi = g.fW;
    while (kx_lo < g.fW && ix0 + kx_lo * g.dW < 0) ++kx_lo;
    while (kx_hi > kx_lo && ix0 + (kx_hi - 1) * g.dW >= g.inW) --kx_hi;
    for (int64_t ky = 0; ky < g.fH; ++ky, dst += g.fW * C) {
      const int64_t iy = oy * g.sH - g.padT + ky * g.dH;
      if (iy < 0 || iy >= g.inH) {
        std::memset(dst, 0, row_bytes);
        continue;
      }
      const float* src = x + ((b * g.inH + iy) * g.inW) * C;
      if (kx_lo > 0) std::memset(dst, 0, static_cast<size_t>(kx_lo * C) * sizeof(float));
      if (g.dW == 1) {
        if (kx_hi > kx_lo) {
          std::memcpy(dst + kx_lo * C, src + (ix0 + kx_lo) * C, static_cast<size_t>((kx_hi - kx_lo) * C) * sizeof(float));
        }
      } else {
        for (int64_t kx = kx_lo; kx < kx_hi; ++kx) {
          std::memcpy(dst + kx * C, src + (ix0 + kx * g.dW) * C, static_cast<size_t>(C) * sizeof(float));
        }
      }
      if (kx_hi < g.fW) std::memset(dst + kx_hi * C, 0, static_cast<size_t>((g.fW - kx_hi) * C) * sizeof(float));
    }
  }
}

// dx += col2im(rows [r0, r1) of col).
void col2im_add(const float* col, const ConvGeom& g, int64_t r0, int64_t r1, float* dx) {
  const int64_t C = g.inC, K = patch_size(g);
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t ox = r % g.outW, oy = (r / g.outW) % g.outH, b = r / (g.outW * g.outH);
    const float* src = col + (r - r0) * K;
    const int64_t ix0 = ox * g.sW - g.padL;
    for (int64_t ky = 0; ky < g.fH; ++ky, src += g.fW * C) {
      const int64_t iy = oy * g.sH - g.padT + ky * g.dH;
      if (iy < 0 || iy >= g.inH) continue;
      float* row = dx + ((b * g.inH + iy) * g.inW) * C;
      for (int64_t kx = 0; kx < g.fW; ++kx) {
        const int64_t ix = ix0 + kx * g.dW;
        if (ix < 0 || ix >= g.inW) continue;
        float* d = row + ix * C;
        const float* s = src + kx * C;
        for (int64_t c = 0; c < C; ++c) d[c] += s[c];
      }
    }
  }
}

// Rows per im2col block: a multiple of 48 (every micro-tile height), about kColBlockFloats in all, and
// small enough that `want` participants get at least one block each when there are enough rows.
int64_t block_rows(int64_t rows, int64_t K, int want) {
  int64_t r = std::max<int64_t>(48, round_up(kColBlockFloats / std::max<int64_t>(K, 1), 48));
  if (want > 1) r = std::min(r, std::max<int64_t>(48, round_up((rows + want - 1) / want, 48)));
  return std::min(r, rows);
}

int threads_for(double flops) { return flops < kParallelMinFlops ? 1 : pool_threads(); }

}  // namespace

void conv2d_forward(const float* x, const float* w, float* out, const ConvGeom& g, const Epilogue& epi) {
  // Every size below is bounded by an array length: K * N by the filter's, rows * N by out's.
  const int64_t N = g.outC;
  if (N == 0 || g.batch * g.outH * g.outW == 0) return;
  const int64_t rows = g.batch * g.outH * g.outW, K = patch_size(g);
  GemmArgs a;
  a.N = N;
  a.K = K;
  a.lda = K;
  a.B = w;
  a.ldb = N;
  a.ldc = N;
  a.epi = epi;
  if (im2col_is_identity(g)) {
    a.M = rows;
    a.A = x;
    a.C = out;
    sgemm(a, pool_threads());
    return;
  }
  const int nt = threads_for(2.0 * rows * K * N);
  const int64_t br = block_rows(rows, K, nt), blocks = (rows + br - 1) / br;
  parallel_for(nt, blocks, [&](int64_t blk, int) {
    float* col = thread_buffer(1, static_cast<size_t>(br * K));
    const int64_t r0 = blk * br, r1 = std::min(rows, r0 + br);
    im2col(x, g, r0, r1, col);
    GemmArgs ab = a;
    ab.M = r1 - r0;
    ab.A = col;
    ab.C = out + r0 * N;
    sgemm_serial(ab);
  });
}

void conv2d_backprop_input(const float* dy, const float* w, float* dx, const ConvGeom& g) {
  const int64_t image = g.inH * g.inW * g.inC;
  if (g.batch == 0 || image == 0) return;
  if (g.outC == 0 || g.outH == 0 || g.outW == 0) {  // no gradient flows in
    std::memset(dx, 0, static_cast<size_t>(g.batch * image) * sizeof(float));
    return;
  }
  const int64_t rows = g.batch * g.outH * g.outW, K = patch_size(g);
  GemmArgs a;
  a.N = K;
  a.K = g.outC;
  a.lda = g.outC;
  a.B = w;  // W is [K x outC]; op(B) = W^T
  a.ldb = g.outC;
  a.transB = true;
  a.ldc = K;
  if (im2col_is_identity(g)) {
    a.M = rows;
    a.A = dy;
    a.C = dx;
    sgemm(a, pool_threads());
    return;
  }
  const int64_t rows_per_image = g.outH * g.outW;
  const int nt = threads_for(2.0 * rows * K * g.outC);
  if (nt > 1 && g.batch >= nt) {
    // Whole images per participant: their dx regions are disjoint.
    const int64_t br = block_rows(rows_per_image, K, 1);
    parallel_for(nt, g.batch, [&](int64_t b, int) {
      float* col = thread_buffer(1, static_cast<size_t>(br * K));
      std::memset(dx + b * image, 0, static_cast<size_t>(image) * sizeof(float));
      for (int64_t r0 = b * rows_per_image; r0 < (b + 1) * rows_per_image; r0 += br) {
        const int64_t r1 = std::min((b + 1) * rows_per_image, r0 + br);
        GemmArgs ab = a;
        ab.M = r1 - r0;
        ab.A = dy + r0 * g.outC;
        ab.C = col;
        sgemm_serial(ab);
        col2im_add(col, g, r0, r1, dx);
      }
    });
    return;
  }
  // Few images: parallel products, serial scatter.
  std::memset(dx, 0, static_cast<size_t>(g.batch * image) * sizeof(float));
  const int64_t br = block_rows(rows, K, 1);
  float* col = thread_buffer(1, static_cast<size_t>(br * K));
  for (int64_t r0 = 0; r0 < rows; r0 += br) {
    const int64_t r1 = std::min(rows, r0 + br);
    GemmArgs ab = a;
    ab.M = r1 - r0;
    ab.A = dy + r0 * g.outC;
    ab.C = col;
    sgemm(ab, nt);
    col2im_add(col, g, r0, r1, dx);
  }
}

void conv2d_backprop_filter(const float* x, const float* dy, float* dw, const ConvGeom& g) {
  const int64_t N = g.outC;
  if (N == 0 || g.fH * g.fW * g.inC == 0) return;
  const int64_t rows = g.batch * g.outH * g.outW, K = patch_size(g);
  if (rows == 0) {
    std::memset(dw, 0, static_cast<size_t>(K * N) * sizeof(float));
    return;
  }
  const bool identity = im2col_is_identity(g);
  GemmArgs a;
  a.M = K;
  a.N = N;
  a.lda = K;  // cols is [rows x K]; op(A) = cols^T
  a.transA = true;
  a.ldb = N;
  a.ldc = N;
  const int nt = threads_for(2.0 * rows * K * N);
  // The rows fall into at most kFilterGroups groups, fixed by the sizes alone: group p sums its blocks in
  // order into its own buffer (dw for p = 0), and the groups are added in order at the end. Who runs a
  // group (a late worker leaves it to the caller) and how many threads there are never change the order
  // of the sums, so the gradient is the same to the bit on every run.
  const int64_t br = block_rows(rows, K, kFilterGroups), blocks = (rows + br - 1) / br;
  const int64_t groups = std::min<int64_t>(blocks, kFilterGroups);
  float* scratch = groups > 1 ? thread_buffer(2, static_cast<size_t>((groups - 1) * K * N)) : nullptr;
  parallel_for(nt, groups, [&](int64_t p, int) {
    float* part = p == 0 ? dw : scratch + (p - 1) * K * N;
    float* col = identity ? nullptr : thread_buffer(1, static_cast<size_t>(br * K));
    int64_t first, last;
    split_range(blocks, p, groups, &first, &last);
    for (int64_t blk = first; blk < last; ++blk) {
      const int64_t r0 = blk * br, r1 = std::min(rows, r0 + br);
      GemmArgs ab = a;
      ab.K = r1 - r0;
      if (identity) {
        ab.A = x + r0 * K;
      } else {
        im2col(x, g, r0, r1, col);
        ab.A = col;
      }
      ab.B = dy + r0 * N;
      ab.C = part;
      ab.accumulate = blk > first;
      sgemm_serial(ab);
    }
  });
  for (int64_t p = 1; p < groups; ++p) {
    const float* part = scratch + (p - 1) * K * N;
    for (int64_t i = 0; i < K * N; ++i) dw[i] += part[i];
  }
}

}  // namespace dn
