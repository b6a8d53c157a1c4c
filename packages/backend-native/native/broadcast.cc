// Broadcasting binary operations and axis reductions (see broadcast.h).
#include "broadcast.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "threadpool.h"

namespace dn {
namespace {

// Below this many output elements one thread does the whole operation (a parallel region costs microseconds).
constexpr int64_t kParallelMin = 65536;
// Output elements per piece a participant claims.
constexpr int64_t kPiece = 16384;

struct Add { static inline float f(float x, float y) { return x + y; } };
struct Sub { static inline float f(float x, float y) { return x - y; } };
struct Mul { static inline float f(float x, float y) { return x * y; } };
struct Div { static inline float f(float x, float y) { return x / y; } };
// In double, as JavaScript computes (x − y)² before the Float32Array rounds it.
struct SquaredDifference {
  static inline float f(float x, float y) {
    const double d = static_cast<double>(x) - static_cast<double>(y);
    return static_cast<float>(d * d);
  }
};
// Math.max / Math.min: NaN wins, and +0 is above −0.
struct Maximum {
  static inline float f(float x, float y) {
    if (x != x || x > y) return x;
    if (y != y || y > x) return y;
    return std::signbit(x) ? y : x;
  }
};
struct Minimum {
  static inline float f(float x, float y) {
    if (x != x || x < y) return x;
    if (y != y || y < x) return y;
    return std::signbit(x) ? x : y;
  }
};

struct Greater { static inline uint8_t f(float x, float y) { return x > y; } };
struct GreaterEqual { static inline uint8_t f(float x, float y) { return x >= y; } };
struct Less { static inline uint8_t f(float x, float y) { return x < y; } };
struct LessEqual { static inline uint8_t f(float x, float y) { return x <= y; } };
struct Equal { static inline uint8_t f(float x, float y) { return x == y; } };
struct NotEqual { static inline uint8_t f(float x, float y) { return x != y; } };

// The innermost axis: n values, each operand contiguous (stride 1) or repeated (stride 0).
template <class Op, class T>
inline void inner(const float* a, int64_t sa, const float* b, int64_t sb, T* out, int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = Op::f(a[i], b[i]);
  } else if (sa == 1) {
    const float y = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = Op::f(a[i], y);
  } else if (sb == 1) {
    const float x = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = Op::f(x, b[i]);
  } else {
    const T v = Op::f(a[0], b[0]);
    for (int64_t i = 0; i < n; ++i) out[i] = v;
  }
}

// Output rows [lo, hi) of the outer axes (every axis but the last), each a call of `inner`.
template <class Op, class T>
void rows(const float* a, const float* b, T* out, const BroadcastGeom& g, int64_t lo, int64_t hi) {
  const int last = g.rank - 1;
  const int64_t n = g.shape[last];
  int64_t index[kMaxBroadcastRank] = {0};
  int64_t rest = lo;
  int64_t ao = 0, bo = 0;
  for (int k = last - 1; k >= 0; --k) {
    index[k] = rest % g.shape[k];
    rest /= g.shape[k];
    ao += index[k] * g.a_stride[k];
    bo += index[k] * g.b_stride[k];
  }
  for (int64_t row = lo; row < hi; ++row) {
    inner<Op, T>(a + ao, g.a_stride[last], b + bo, g.b_stride[last], out + row * n, n);
    // Odometer step over the outer axes, keeping both operands' offsets current.
    for (int k = last - 1; k >= 0; --k) {
      ao += g.a_stride[k];
      bo += g.b_stride[k];
      if (++index[k] < g.shape[k]) break;
      ao -= g.a_stride[k] * g.shape[k];
      bo -= g.b_stride[k] * g.shape[k];
      index[k] = 0;
    }
  }
}

template <class Op, class T>
void broadcast(const float* a, const float* b, T* out, const BroadcastGeom& g) {
  const int64_t n = g.shape[g.rank - 1];
  int64_t outer = 1;
  for (int k = 0; k < g.rank - 1; ++k) outer *= g.shape[k];
  if (n == 0 || outer == 0) return;
  if (outer * n < kParallelMin || pool_threads() <= 1 || outer == 1) {
    rows<Op, T>(a, b, out, g, 0, outer);
    return;
  }
  const int64_t rows_per_piece = n >= kPiece ? 1 : kPiece / n;
  const int64_t pieces = (outer + rows_per_piece - 1) / rows_per_piece;
  parallel_for(pool_threads(), pieces, [&](int64_t p, int) {
    const int64_t lo = p * rows_per_piece;
    const int64_t hi = lo + rows_per_piece < outer ? lo + rows_per_piece : outer;
    rows<Op, T>(a, b, out, g, lo, hi);
  });
}

inline float term(float v, float divisor) { return divisor > 0 ? v / divisor : v; }

}  // namespace

void binary_broadcast(int op, const float* a, const float* b, float* out, const BroadcastGeom& g) {
  switch (op) {
    case kBcAdd: return broadcast<Add, float>(a, b, out, g);
    case kBcSub: return broadcast<Sub, float>(a, b, out, g);
    case kBcMul: return broadcast<Mul, float>(a, b, out, g);
    case kBcDiv: return broadcast<Div, float>(a, b, out, g);
    case kBcSquaredDifference: return broadcast<SquaredDifference, float>(a, b, out, g);
    case kBcMaximum: return broadcast<Maximum, float>(a, b, out, g);
    case kBcMinimum: return broadcast<Minimum, float>(a, b, out, g);
    default: return;
  }
}

void compare_broadcast(int op, const float* a, const float* b, uint8_t* out, const BroadcastGeom& g) {
  switch (op) {
    case kCmpGreater: return broadcast<Greater, uint8_t>(a, b, out, g);
    case kCmpGreaterEqual: return broadcast<GreaterEqual, uint8_t>(a, b, out, g);
    case kCmpLess: return broadcast<Less, uint8_t>(a, b, out, g);
    case kCmpLessEqual: return broadcast<LessEqual, uint8_t>(a, b, out, g);
    case kCmpEqual: return broadcast<Equal, uint8_t>(a, b, out, g);
    case kCmpNotEqual: return broadcast<NotEqual, uint8_t>(a, b, out, g);
    default: return;
  }
}

void reduce_columns(const float* x, int64_t rows, int64_t columns, float* out, float divisor) {
  // Every column sums its rows in order; the columns are split between threads in blocks, so the values do
  // not depend on the thread count.
  constexpr int64_t kBlock = 256;
  const int64_t blocks = (columns + kBlock - 1) / kBlock;
  auto block = [&](int64_t p, int) {
    const int64_t c0 = p * kBlock;
    const int64_t c1 = c0 + kBlock < columns ? c0 + kBlock : columns;
    double sums[kBlock] = {0};
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = x + r * columns;
      for (int64_t c = c0; c < c1; ++c) sums[c - c0] += static_cast<double>(term(row[c], divisor));
    }
    for (int64_t c = c0; c < c1; ++c) out[c] = static_cast<float>(sums[c - c0]);
  };
  if (rows * columns < kParallelMin || blocks == 1 || pool_threads() <= 1) {
    for (int64_t p = 0; p < blocks; ++p) block(p, 0);
  } else {
    parallel_for(pool_threads(), blocks, block);
  }
}

void reduce_rows(const float* x, int64_t rows, int64_t columns, float* out, float divisor) {
  auto some = [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const float* row = x + r * columns;
      double sum = 0;
      for (int64_t c = 0; c < columns; ++c) sum += static_cast<double>(term(row[c], divisor));
      out[r] = static_cast<float>(sum);
    }
  };
  if (rows * columns < kParallelMin || rows == 1 || pool_threads() <= 1) {
    some(0, rows);
    return;
  }
  const int64_t rows_per_piece = columns >= kPiece ? 1 : kPiece / columns;
  const int64_t pieces = (rows + rows_per_piece - 1) / rows_per_piece;
  parallel_for(pool_threads(), pieces, [&](int64_t p, int) {
    const int64_t lo = p * rows_per_piece;
    some(lo, lo + rows_per_piece < rows ? lo + rows_per_piece : rows);
  });
}

void batch_norm(const float* x, int64_t rows, int64_t channels, const BatchNormArgs& p, float* out) {
  // Per-channel terms in double, as the cpu kernel's JavaScript holds them; sqrt is the same correctly rounded
  // double whether taken once per channel or once per element.
  std::vector<double> mean(channels), shift(channels), scale(channels), root(channels);
  auto at = [](const float* values, int64_t length, int64_t c, double fallback) {
    return values == nullptr ? fallback : static_cast<double>(values[length == 1 ? 0 : c]);
  };
  for (int64_t c = 0; c < channels; ++c) {
    mean[c] = at(p.mean, p.mean_len, c, 0);
    shift[c] = at(p.offset, p.offset_len, c, 0);
    scale[c] = at(p.scale, p.scale_len, c, 1);
    root[c] = std::sqrt(at(p.variance, p.variance_len, c, 0) + p.epsilon);
  }
  const double* m = mean.data();
  const double* o = shift.data();
  const double* s = scale.data();
  const double* r = root.data();
  auto some = [&](int64_t lo, int64_t hi) {
    for (int64_t row = lo; row < hi; ++row) {
      const float* xr = x + row * channels;
      float* yr = out + row * channels;
      for (int64_t c = 0; c < channels; ++c) {
        yr[c] = static_cast<float>(o[c] + (static_cast<double>(xr[c]) - m[c]) * s[c] / r[c]);
      }
    }
  };
  if (rows * channels < kParallelMin || rows == 1 || pool_threads() <= 1) {
    some(0, rows);
    return;
  }
  const int64_t rows_per_piece = channels >= kPiece ? 1 : kPiece / channels;
  const int64_t pieces = (rows + rows_per_piece - 1) / rows_per_piece;
  parallel_for(pool_threads(), pieces, [&](int64_t piece, int) {
    const int64_t lo = piece * rows_per_piece;
    some(lo, lo + rows_per_piece < rows ? lo + rows_per_piece : rows);
  });
}

}  // namespace dn
