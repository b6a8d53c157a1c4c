// The bindings defined outside addon.cc, which registers every binding in its module init.
#pragma once

#include <node_api.h>

namespace dn {

// elementwise_bindings.cc
napi_value Binary(napi_env env, napi_callback_info info);
napi_value BinaryBroadcast(napi_env env, napi_callback_info info);
napi_value CompareBroadcast(napi_env env, napi_callback_info info);
napi_value Reduce(napi_env env, napi_callback_info info);
napi_value BatchNorm(napi_env env, napi_callback_info info);
napi_value Unary(napi_env env, napi_callback_info info);
napi_value AdamUpdate(napi_env env, napi_callback_info info);

// normalization_bindings.cc
napi_value BatchNormTrain(napi_env env, napi_callback_info info);
napi_value BatchNormTrainGrad(napi_env env, napi_callback_info info);

}  // namespace dn
