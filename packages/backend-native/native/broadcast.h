// Broadcasting binary operations and axis reductions on float32 data, vectorised and split across the
// thread pool for large sizes. Values are those of the cpu backend, bit for bit: each binary value is the
// correctly rounded float32 result (for squared difference and the reductions, a double-precision
// computation rounded once, as the cpu backend's JavaScript does).
#pragma once

#include <cstdint>

namespace dn {

enum BroadcastOp : int {
  kBcAdd = 0,
  kBcSub = 1,
  kBcMul = 2,
  kBcDiv = 3,
  kBcSquaredDifference = 4,
  kBcMaximum = 5,
  kBcMinimum = 6,
};
constexpr int kBroadcastOps = 7;

// The most axes a broadcast keeps once adjacent axes that broadcast alike are merged (the caller merges).
constexpr int kMaxBroadcastRank = 6;

// out[i0, …, ir-1] = a[Σ ik·a_stride[k]] op b[Σ ik·b_stride[k]] over `shape` (row-major, out contiguous);
// a stride is 0 along an axis the operand is broadcast on. The last axis's strides are 0 or 1.
struct BroadcastGeom {
  int rank;
  int64_t shape[kMaxBroadcastRank];
  int64_t a_stride[kMaxBroadcastRank];
  int64_t b_stride[kMaxBroadcastRank];
};
void binary_broadcast(int op, const float* a, const float* b, float* out, const BroadcastGeom& g);

// Comparisons over the same geometry, 1 or 0 into bytes (tfjs's bool tensors): op 0 greater, 1 greater or
// equal, 2 less, 3 less or equal, 4 equal, 5 not equal; NaN compares false except under "not equal".
enum CompareOp : int { kCmpGreater = 0, kCmpGreaterEqual = 1, kCmpLess = 2, kCmpLessEqual = 3, kCmpEqual = 4, kCmpNotEqual = 5 };
constexpr int kCompareOps = 6;
void compare_broadcast(int op, const float* a, const float* b, uint8_t* out, const BroadcastGeom& g);

// x is rows × columns, row-major. reduce_columns: out[c] = Σ_r t(x[r, c]); reduce_rows: out[r] = Σ_c t(x[r, c]);
// t(v) = v, or float32(v / divisor) when divisor > 0 (a mean, divided before summing as the cpu backend does).
// Each sum runs in double precision in increasing index order and is rounded once.
void reduce_columns(const float* x, int64_t rows, int64_t columns, float* out, float divisor);
void reduce_rows(const float* x, int64_t rows, int64_t columns, float* out, float divisor);

}  // namespace dn

namespace dn {

// tfjs's FusedBatchNorm over x of rows × channels (NHWC flattened): per element, in double precision and
// rounded once, out = offset + (x − mean) · scale / sqrt(variance + epsilon), as the cpu kernel computes it.
// Each of mean, variance, offset and scale holds `channels` values or one (offset and scale may be null:
// 0 and 1).
struct BatchNormArgs {
  const float* mean;
  int64_t mean_len;
  const float* variance;
  int64_t variance_len;
  const float* offset;
  int64_t offset_len;
  const float* scale;
  int64_t scale_len;
  double epsilon;
};
void batch_norm(const float* x, int64_t rows, int64_t channels, const BatchNormArgs& p, float* out);

}  // namespace dn
