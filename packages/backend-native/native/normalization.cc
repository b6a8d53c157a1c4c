#include "normalization.h"

#include <cmath>
#include <vector>

#include "threadpool.h"

namespace dn {
namespace {

// Rows per chunk of a channel sum: enough to amortise the partial sums' buffer, few enough that a
// 32×32 batch of 64 still makes dozens of chunks to share out.
constexpr int64_t kChunkRows = 256;
// Below this many elements a pass runs on the calling thread alone.
constexpr int64_t kParallelMin = 65536;

bool threaded(int64_t rows, int64_t channels) {
  return rows * channels >= kParallelMin && rows > kChunkRows && pool_threads() > 1;
}

// sums[s · channels + c] = Σ over rows of the kSums terms `add` accumulates, chunk by chunk in row order.
// add(r0, r1, partial) adds rows [r0, r1)'s terms into partial (kSums × channels doubles, zeroed).
template <int kSums, class Add>
void channel_sums(int64_t rows, int64_t channels, Add add, double* sums) {
  const int64_t chunks = (rows + kChunkRows - 1) / kChunkRows;
  const int64_t width = kSums * channels;
  std::vector<double> partial(static_cast<size_t>(chunks * width), 0.0);
  auto chunk = [&](int64_t i, int) {
    const int64_t r0 = i * kChunkRows;
    add(r0, r0 + kChunkRows < rows ? r0 + kChunkRows : rows, partial.data() + i * width);
  };
  if (threaded(rows, channels)) {
    parallel_for(pool_threads(), chunks, chunk);
  } else {
    for (int64_t i = 0; i < chunks; ++i) chunk(i, 0);
  }
  for (int64_t j = 0; j < width; ++j) sums[j] = 0;
  for (int64_t i = 0; i < chunks; ++i) {
    const double* p = partial.data() + i * width;
    for (int64_t j = 0; j < width; ++j) sums[j] += p[j];
  }
}

// f(r0, r1) over all rows, in pieces shared between threads for large sizes.
template <class F>
void for_rows(int64_t rows, int64_t channels, F f) {
  if (!threaded(rows, channels)) {
    f(0, rows);
    return;
  }
  const int64_t pieces = (rows + kChunkRows - 1) / kChunkRows;
  parallel_for(pool_threads(), pieces, [&](int64_t p, int) {
    const int64_t r0 = p * kChunkRows;
    f(r0, r0 + kChunkRows < rows ? r0 + kChunkRows : rows);
  });
}

}  // namespace

void batch_norm_train(const float* x, int64_t rows, int64_t channels, const float* scale, const float* offset,
                      double epsilon, float* y, float* mean, float* variance) {
  const int64_t C = channels;
  if (C == 0) return;
  if (rows == 0) {
    // The moments of no rows are 0 / 0, as tf.moments gives them.
    for (int64_t c = 0; c < C; ++c) mean[c] = variance[c] = std::nanf("");
    return;
  }
  // One pass for both moments: sums of x − shift and of its square, with the first row as the shift so
  // the variance does not cancel catastrophically when |mean| ≫ standard deviation.
  std::vector<double> sums(static_cast<size_t>(2 * C));
  channel_sums<2>(
      rows, C,
      [&](int64_t r0, int64_t r1, double* p) {
        double* s1 = p;
        double* s2 = p + C;
        for (int64_t r = r0; r < r1; ++r) {
          const float* xr = x + r * C;
          for (int64_t c = 0; c < C; ++c) {
            const double d = static_cast<double>(xr[c]) - static_cast<double>(x[c]);
            s1[c] += d;
            s2[c] += d * d;
          }
        }
      },
      sums.data());
  std::vector<float> a(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) {
    const double shifted_mean = sums[c] / static_cast<double>(rows);
    const double var = std::fmax(sums[C + c] / static_cast<double>(rows) - shifted_mean * shifted_mean, 0.0);
    mean[c] = static_cast<float>(static_cast<double>(x[c]) + shifted_mean);
    variance[c] = static_cast<float>(var);
    a[c] = static_cast<float>(static_cast<double>(scale[c]) / std::sqrt(var + epsilon));
  }
  // (x − mean) · a + offset rather than x · a + (offset − mean · a): with a small variance, a is large and
  // the second form would cancel two large terms.
  const float* ka = a.data();
  for_rows(rows, C, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = x + r * C;
      float* yr = y + r * C;
      for (int64_t c = 0; c < C; ++c) yr[c] = (xr[c] - mean[c]) * ka[c] + offset[c];
    }
  });
}

void batch_norm_train_grad(const float* dy, const float* x, int64_t rows, int64_t channels, const float* scale,
                           const float* mean, const float* variance, double epsilon, float* dx, float* dscale,
                           float* doffset) {
  const int64_t C = channels;
  if (C == 0) return;
  std::vector<double> sums(static_cast<size_t>(2 * C), 0.0);
  if (rows > 0) {
    channel_sums<2>(
        rows, C,
        [&](int64_t r0, int64_t r1, double* p) {
          // In double, products included: where dy is nearly constant per channel (after an average pool),
          // dx is a small difference of these sums, and float sums would leave mostly rounding noise.
          double* s_dy = p;
          double* s_dyx = p + C;
          for (int64_t r = r0; r < r1; ++r) {
            const float* dyr = dy + r * C;
            const float* xr = x + r * C;
            for (int64_t c = 0; c < C; ++c) {
              const double g = static_cast<double>(dyr[c]);
              s_dy[c] += g;
              s_dyx[c] += g * (static_cast<double>(xr[c]) - static_cast<double>(mean[c]));
            }
          }
        },
        sums.data());
  }
  std::vector<float> a(static_cast<size_t>(C)), mean_dy(static_cast<size_t>(C)), k(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) {
    const double inv = 1.0 / std::sqrt(static_cast<double>(variance[c]) + epsilon);
    doffset[c] = static_cast<float>(sums[c]);
    dscale[c] = static_cast<float>(sums[C + c] * inv);
    a[c] = static_cast<float>(static_cast<double>(scale[c]) * inv);
    mean_dy[c] = static_cast<float>(sums[c] / static_cast<double>(rows));
    k[c] = static_cast<float>(sums[C + c] * inv * inv / static_cast<double>(rows));
  }
  if (rows == 0) return;
  const float* ka = a.data();
  const float* km = mean_dy.data();
  const float* kk = k.data();
  for_rows(rows, C, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* dyr = dy + r * C;
      const float* xr = x + r * C;
      float* dxr = dx + r * C;
      for (int64_t c = 0; c < C; ++c) dxr[c] = ka[c] * (dyr[c] - km[c] - (xr[c] - mean[c]) * kk[c]);
    }
  });
}

}  // namespace dn
