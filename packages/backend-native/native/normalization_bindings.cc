// N-API bindings of batch normalisation in training mode (normalization.h). addon.cc registers them.
#include <node_api.h>

#include <cstdint>

#include "bindings.h"
#include "napi_args.h"
#include "normalization.h"

namespace dn {
namespace {

// Checks that x holds whole rows of `channels` and that each per-channel array holds `channels` values.
int64_t rows_of(Args& a, size_t x_len, int64_t channels, std::initializer_list<std::pair<const char*, size_t>> per_channel) {
  if (a.failed) return 0;
  if (x_len % static_cast<size_t>(channels) != 0) a.fail_arg("x", "must hold whole rows of `channels` values");
  for (const auto& [name, length] : per_channel) {
    if (!a.failed && static_cast<int64_t>(length) != channels) a.fail_arg(name, "must hold one value per channel");
  }
  return static_cast<int64_t>(x_len) / channels;
}

}  // namespace

// batchNormTrain(x, scale, offset, epsilon, channels, y, mean, variance): see batch_norm_train.
napi_value BatchNormTrain(napi_env env, napi_callback_info info) {
  Args a(env, info, "batchNormTrain", 8);
  if (a.failed) return nullptr;
  size_t lx, ls, lo, ly, lm, lv;
  const float* x = a.f32(0, "x", &lx);
  const float* scale = a.f32(1, "scale", &ls);
  const float* offset = a.f32(2, "offset", &lo);
  const double epsilon = a.number(3, "epsilon");
  const int64_t channels = a.size(4, "channels", 1);
  float* y = a.f32(5, "y", &ly);
  float* mean = a.f32(6, "mean", &lm);
  float* variance = a.f32(7, "variance", &lv);
  const int64_t rows = rows_of(a, lx, channels, {{"scale", ls}, {"offset", lo}, {"mean", lm}, {"variance", lv}});
  a.need("y", ly, static_cast<double>(lx));
  a.disjoint("y", y, ly, "x", x, lx);
  a.disjoint("mean", mean, lm, "variance", variance, lv);
  if (a.failed) return nullptr;
  batch_norm_train(x, rows, channels, scale, offset, epsilon, y, mean, variance);
  return undefined(env);
}

// batchNormTrainGrad(dy, x, scale, mean, variance, epsilon, channels, dx, dscale, doffset): see
// batch_norm_train_grad.
napi_value BatchNormTrainGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, "batchNormTrainGrad", 10);
  if (a.failed) return nullptr;
  size_t ldy, lx, ls, lm, lv, ldx, lds, ldo;
  const float* dy = a.f32(0, "dy", &ldy);
  const float* x = a.f32(1, "x", &lx);
  const float* scale = a.f32(2, "scale", &ls);
  const float* mean = a.f32(3, "mean", &lm);
  const float* variance = a.f32(4, "variance", &lv);
  const double epsilon = a.number(5, "epsilon");
  const int64_t channels = a.size(6, "channels", 1);
  float* dx = a.f32(7, "dx", &ldx);
  float* dscale = a.f32(8, "dscale", &lds);
  float* doffset = a.f32(9, "doffset", &ldo);
  const int64_t rows = rows_of(a, lx, channels,
                               {{"scale", ls}, {"mean", lm}, {"variance", lv}, {"dscale", lds}, {"doffset", ldo}});
  a.need("dy", ldy, static_cast<double>(lx));
  a.need("dx", ldx, static_cast<double>(lx));
  a.disjoint("dx", dx, ldx, "dy", dy, ldy);
  a.disjoint("dx", dx, ldx, "x", x, lx);
  a.disjoint("dscale", dscale, lds, "doffset", doffset, ldo);
  if (a.failed) return nullptr;
  batch_norm_train_grad(dy, x, rows, channels, scale, mean, variance, epsilon, dx, dscale, doffset);
  return undefined(env);
}

}  // namespace dn
