// N-API bindings of the elementwise kernels (elementwise.h, broadcast.h): binary and unary operations,
// broadcasts and comparisons, reductions, batch normalisation and the fused Adam step. addon.cc registers them.
#include <node_api.h>

#include <cmath>
#include <cstdint>

#include "bindings.h"
#include "broadcast.h"
#include "elementwise.h"
#include "napi_args.h"

namespace dn {
namespace {

// An output that is exactly an input (in place) is fine elementwise; a partial overlap is not.
void same_or_disjoint(Args& a, const char* out_name, const float* out, size_t out_len, const char* in_name,
                      const float* in, size_t in_len) {
  if (out == in) return;
  a.disjoint(out_name, out, out_len, in_name, in, in_len);
}

// binaryBroadcast(op, a, b, out, rank, <6 sizes>, <6 a strides>, <6 b strides>): out over the shape of the
// first `rank` sizes (see BroadcastGeom); op 0 add, 1 sub, 2 mul, 3 div, 4 squared difference, 5 max, 6 min.
// compareBroadcast(op, a, b, out, …) the same with a Uint8Array out: op 0 >, 1 >=, 2 <, 3 <=, 4 ==, 5 !=.
template <bool kCompare>
napi_value Broadcast(napi_env env, napi_callback_info info) {
  Args a(env, info, kCompare ? "compareBroadcast" : "binaryBroadcast", 5 + 3 * kMaxBroadcastRank);
  if (a.failed) return nullptr;
  const int64_t op = a.size(0, "op");
  size_t la, lb, lo;
  const float* A = a.f32(1, "a", &la);
  const float* B = a.f32(2, "b", &lb);
  // A comparison's output is a fresh byte array: it cannot overlap the float operands.
  float* out = kCompare ? nullptr : a.f32(3, "out", &lo);
  uint8_t* bytes = kCompare ? a.u8(3, "out", &lo) : nullptr;
  const int64_t rank = a.size(4, "rank", 1, kMaxBroadcastRank);
  if (a.failed) return nullptr;
  if (op >= (kCompare ? kCompareOps : kBroadcastOps)) {
    a.fail(kCompare ? "op must be 0 to 5" : "op must be 0 to 6");
    return nullptr;
  }
  BroadcastGeom g{};
  g.rank = static_cast<int>(rank);
  double size = 1, a_last = 0, b_last = 0;
  bool empty = false;
  for (int k = 0; k < g.rank; ++k) {
    g.shape[k] = a.dim(5 + k, "size");
    g.a_stride[k] = a.size(5 + kMaxBroadcastRank + k, "a stride");
    g.b_stride[k] = a.size(5 + 2 * kMaxBroadcastRank + k, "b stride");
    size *= static_cast<double>(g.shape[k]);
    if (g.shape[k] == 0) empty = true;
    a_last += static_cast<double>(g.shape[k] > 0 ? g.shape[k] - 1 : 0) * g.a_stride[k];
    b_last += static_cast<double>(g.shape[k] > 0 ? g.shape[k] - 1 : 0) * g.b_stride[k];
  }
  if (a.failed) return nullptr;
  if (g.a_stride[g.rank - 1] > 1 || g.b_stride[g.rank - 1] > 1) {
    a.fail("the last axis's strides must be 0 or 1");
    return nullptr;
  }
  a.need("out", lo, size);
  if (!empty) {
    a.need("a", la, a_last + 1);
    a.need("b", lb, b_last + 1);
  }
  if (!kCompare) {
    a.disjoint("out", out, lo, "a", A, la);
    a.disjoint("out", out, lo, "b", B, lb);
  }
  if (a.failed || empty) return a.failed ? nullptr : undefined(env);
  if (kCompare) {
    compare_broadcast(static_cast<int>(op), A, B, bytes, g);
  } else {
    binary_broadcast(static_cast<int>(op), A, B, out, g);
  }
  return undefined(env);
}

}  // namespace

// binary(op, a, b, out): out[i] = a[i] op b[i], op 0 add, 1 sub, 2 mul, 3 div; a or b may hold one value
// (a scalar operand), else out's length.
napi_value Binary(napi_env env, napi_callback_info info) {
  Args a(env, info, "binary", 4);
  if (a.failed) return nullptr;
  const int64_t op = a.size(0, "op");
  size_t la, lb, lo;
  const float* A = a.f32(1, "a", &la);
  const float* B = a.f32(2, "b", &lb);
  float* out = a.f32(3, "out", &lo);
  if (a.failed) return nullptr;
  if (op > kBinDiv) a.fail("op must be 0 (add), 1 (sub), 2 (mul) or 3 (div)");
  if (!a.failed && la != lo && la != 1) a.fail_arg("a", "must hold one value or as many as out");
  if (!a.failed && lb != lo && lb != 1) a.fail_arg("b", "must hold one value or as many as out");
  same_or_disjoint(a, "out", out, lo, "a", A, la);
  same_or_disjoint(a, "out", out, lo, "b", B, lb);
  if (a.failed) return nullptr;
  if (lo == 0) return undefined(env);
  binary_elementwise(static_cast<int>(op), A, la != lo, B, lb != lo, out, static_cast<int64_t>(lo));
  return undefined(env);
}


// reduce(x, rows, columns, out, overRows, divisor): x is rows × columns; overRows sums each column over the
// rows (out has `columns` values), else each row over the columns (out has `rows`); divisor > 0 makes a mean.
napi_value Reduce(napi_env env, napi_callback_info info) {
  Args a(env, info, "reduce", 6);
  if (a.failed) return nullptr;
  size_t lx, lo;
  const float* x = a.f32(0, "x", &lx);
  const int64_t rows = a.size(1, "rows"), columns = a.size(2, "columns");
  float* out = a.f32(3, "out", &lo);
  const bool over_rows = a.flag(4, "overRows");
  const double divisor = a.number(5, "divisor");
  if (a.failed) return nullptr;
  if (!(divisor >= 0) || !std::isfinite(divisor)) {
    a.fail_arg("divisor", "must be a finite number >= 0");
    return nullptr;
  }
  a.need("x", lx, static_cast<double>(rows) * columns);
  a.need("out", lo, static_cast<double>(over_rows ? columns : rows));
  a.disjoint("out", out, lo, "x", x, lx);
  if (a.failed) return nullptr;
  if (over_rows) {
    reduce_columns(x, rows, columns, out, static_cast<float>(divisor));
  } else {
    reduce_rows(x, rows, columns, out, static_cast<float>(divisor));
  }
  return undefined(env);
}


// batchNorm(x, mean, variance, offset, scale, epsilon, channels, out): tfjs's FusedBatchNorm over x of
// (length / channels) rows × channels; mean and variance hold `channels` values or one, so may offset and
// scale, which may also be null.
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  Args a(env, info, "batchNorm", 8);
  if (a.failed) return nullptr;
  size_t lx, lm, lv, loff, ls, lo;
  const float* x = a.f32(0, "x", &lx);
  BatchNormArgs p{};
  p.mean = a.f32(1, "mean", &lm);
  p.variance = a.f32(2, "variance", &lv);
  p.offset = a.f32(3, "offset", &loff, true);
  p.scale = a.f32(4, "scale", &ls, true);
  p.epsilon = a.number(5, "epsilon");
  const int64_t channels = a.size(6, "channels", 1);
  float* out = a.f32(7, "out", &lo);
  if (a.failed) return nullptr;
  const auto per_channel = [&](const char* name, const float* values, size_t length) {
    if (values != nullptr && length != 1 && static_cast<int64_t>(length) != channels) {
      a.fail_arg(name, "must hold one value or one per channel");
    }
  };
  per_channel("mean", p.mean, lm);
  per_channel("variance", p.variance, lv);
  per_channel("offset", p.offset, loff);
  per_channel("scale", p.scale, ls);
  if (!a.failed && lx % static_cast<size_t>(channels) != 0) a.fail_arg("x", "must hold whole rows of `channels` values");
  a.need("out", lo, static_cast<double>(lx));
  a.disjoint("out", out, lo, "x", x, lx);
  if (a.failed) return nullptr;
  p.mean_len = static_cast<int64_t>(lm);
  p.variance_len = static_cast<int64_t>(lv);
  p.offset_len = static_cast<int64_t>(loff);
  p.scale_len = static_cast<int64_t>(ls);
  batch_norm(x, static_cast<int64_t>(lx) / channels, channels, p, out);
  return undefined(env);
}


// unary(op, x, out, alpha): out[i] = op(x[i]), op 0 sqrt, 1 square, 2 relu, 3 step (alpha at and below 0).
napi_value Unary(napi_env env, napi_callback_info info) {
  Args a(env, info, "unary", 4);
  if (a.failed) return nullptr;
  const int64_t op = a.size(0, "op");
  size_t lx, lo;
  const float* x = a.f32(1, "x", &lx);
  float* out = a.f32(2, "out", &lo);
  const double alpha = a.number(3, "alpha");
  if (a.failed) return nullptr;
  if (op > kUnStep) a.fail("op must be 0 (sqrt), 1 (square), 2 (relu) or 3 (step)");
  if (!a.failed && lx != lo) a.fail_arg("x", "must hold as many values as out");
  same_or_disjoint(a, "out", out, lo, "x", x, lx);
  if (a.failed) return nullptr;
  unary_elementwise(static_cast<int>(op), x, out, static_cast<int64_t>(lo), static_cast<float>(alpha));
  return undefined(env);
}

// adamUpdate(variable, m, v, gradient, variableOut, mOut, vOut, beta1, beta2, biasCorrection1,
// biasCorrection2, epsilon, learningRate): one Adam step (see adam_update). All seven arrays hold the same
// number of values; each output is its own input (in place) or overlaps no array.
napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  Args a(env, info, "adamUpdate", 13);
  if (a.failed) return nullptr;
  static const char* const names[7] = {"variable", "m", "v", "gradient", "variableOut", "mOut", "vOut"};
  float* arrays[7];
  size_t lengths[7];
  for (size_t i = 0; i < 7; ++i) arrays[i] = a.f32(i, names[i], &lengths[i]);
  const double beta1 = a.number(7, "beta1");
  const double beta2 = a.number(8, "beta2");
  const double c1 = a.number(9, "biasCorrection1");
  const double c2 = a.number(10, "biasCorrection2");
  const double epsilon = a.number(11, "epsilon");
  const double learning_rate = a.number(12, "learningRate");
  if (a.failed) return nullptr;
  for (size_t i = 1; i < 7 && !a.failed; ++i) {
    if (lengths[i] != lengths[0]) a.fail_arg(names[i], "must hold as many values as variable");
  }
  // Each output against every array but its own input, and the outputs among themselves.
  for (size_t out = 4; out < 7; ++out) {
    for (size_t other = 0; other < 7; ++other) {
      if (other == out || other == out - 4) continue;
      a.disjoint(names[out], arrays[out], lengths[out], names[other], arrays[other], lengths[other]);
    }
    same_or_disjoint(a, names[out], arrays[out], lengths[out], names[out - 4], arrays[out - 4], lengths[out - 4]);
  }
  if (a.failed) return nullptr;
  // The scalars as the composed float32 operations see them: each a JS number rounded to float32.
  const AdamScalars s{static_cast<float>(beta1), static_cast<float>(1.0 - beta1), static_cast<float>(beta2),
                      static_cast<float>(1.0 - beta2), static_cast<float>(c1), static_cast<float>(c2),
                      static_cast<float>(epsilon), static_cast<float>(-learning_rate)};
  adam_update(arrays[0], arrays[1], arrays[2], arrays[3], arrays[4], arrays[5], arrays[6],
              static_cast<int64_t>(lengths[0]), s);
  return undefined(env);
}

napi_value BinaryBroadcast(napi_env env, napi_callback_info info) { return Broadcast<false>(env, info); }
napi_value CompareBroadcast(napi_env env, napi_callback_info info) { return Broadcast<true>(env, info); }

}  // namespace dn
