// Reading and checking the addon's arguments: each binding in addon.cc builds an Args, reads its
// arguments through it and returns early once `failed` is set (a TypeError is already pending).
// Header-only, since only addon.cc includes it; everything is inline in namespace dn.
#pragma once

#include <node_api.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <string>

#include "conv.h"
#include "gemm.h"

namespace dn {

// Sizes above 2^53 cannot come from a JS number exactly; far below that, products could overflow int64.
constexpr double kMaxSize = 9007199254740991.0;
constexpr double kMaxDim = 1073741824.0;

struct Args {
  napi_env env;
  const char* fn;
  size_t argc = 0;
  napi_value argv[32];
  bool failed = false;

  Args(napi_env e, napi_callback_info info, const char* name, size_t expected) : env(e), fn(name) {
    argc = 32;
    if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) {
      fail("could not read the arguments");
      return;
    }
    // Missing trailing arguments read as undefined (and fail their own checks); extra ones are an error.
    if (argc > expected) {
      fail(("expects " + std::to_string(expected) + " arguments, got " + std::to_string(argc)).c_str());
    }
  }

  void fail(const char* msg) {
    if (failed) return;
    failed = true;
    const std::string text = std::string("distillery_native.") + fn + ": " + msg;
    napi_throw_type_error(env, nullptr, text.c_str());
  }
  void fail_arg(const char* name, const char* what) { fail((std::string(name) + " " + what).c_str()); }

  // A Float32Array (or null when allow_null); its data pointer (byte offset applied) and length.
  float* f32(size_t i, const char* name, size_t* length, bool allow_null = false) {
    return typed<float>(i, name, length, napi_float32_array,
                        allow_null ? "must be a Float32Array or null" : "must be a Float32Array", allow_null);
  }

  // A Uint8Array (a bool tensor's values); its data pointer (byte offset applied) and length.
  uint8_t* u8(size_t i, const char* name, size_t* length) {
    return typed<uint8_t>(i, name, length, napi_uint8_array, "must be a Uint8Array", false);
  }

  double number(size_t i, const char* name) {
    if (failed) return 0;
    double v = 0;
    if (napi_get_value_double(env, argv[i], &v) != napi_ok) {
      fail_arg(name, "must be a number");
      return 0;
    }
    return v;
  }

  // A non-negative (or >= min) integer number, at most max.
  int64_t size(size_t i, const char* name, int64_t min = 0, double max = kMaxSize) {
    const double v = number(i, name);
    if (failed) return 0;
    if (!std::isfinite(v) || v != std::floor(v) || v < static_cast<double>(min)) {
      fail_arg(name, min > 0 ? "must be a positive integer" : "must be a non-negative integer");
      return 0;
    }
    if (v > max) {
      char buf[96];
      std::snprintf(buf, sizeof(buf), "must be at most %.0f", max);
      fail_arg(name, buf);
      return 0;
    }
    return static_cast<int64_t>(v);
  }
  // A geometry number of a convolution or pool: small enough that sums of pairwise products fit int64.
  int64_t dim(size_t i, const char* name, int64_t min = 0) { return size(i, name, min, kMaxDim); }

  // A boolean, or a number (0 = false).
  bool flag(size_t i, const char* name) {
    if (failed) return false;
    napi_valuetype type;
    napi_typeof(env, argv[i], &type);
    if (type == napi_boolean) {
      bool b = false;
      napi_get_value_bool(env, argv[i], &b);
      return b;
    }
    if (type == napi_number) return number(i, name) != 0;
    fail_arg(name, "must be a boolean");
    return false;
  }

  // Checks len >= need (need computed in double: sizes here are < 2^53 each, products are compared).
  void need(const char* name, size_t len, double need_elems) {
    if (failed) return;
    if (static_cast<double>(len) < need_elems) {
      char buf[160];
      std::snprintf(buf, sizeof(buf), "is too short: %.0f elements needed, it has %zu", need_elems, len);
      fail_arg(name, buf);
    }
  }

  // The product of the nonzero factors is at most 2^53, so no product of a subset overflows int64
  // (even where a zero factor makes the array itself empty).
  void bounded(const char* what, std::initializer_list<int64_t> factors) {
    if (failed) return;
    double p = 1;
    for (const int64_t f : factors) p *= f == 0 ? 1.0 : static_cast<double>(f);
    if (p > kMaxSize) fail((std::string(what) + " is too large").c_str());
  }

  // The output must not share memory with an input.
  void disjoint(const char* out_name, const float* out, size_t out_len, const char* in_name, const float* in,
                size_t in_len) {
    if (failed || out == nullptr || in == nullptr || out_len == 0 || in_len == 0) return;
    if (out < in + in_len && in < out + out_len) fail((std::string(out_name) + " must not overlap " + in_name).c_str());
  }

  Epilogue epilogue(size_t i_bias, size_t i_act, size_t i_alpha, size_t i_prelu, int64_t n) {
    Epilogue e;
    size_t bias_len = 0, prelu_len = 0;
    e.bias = f32(i_bias, "bias", &bias_len, true);
    if (e.bias != nullptr) need("bias", bias_len, static_cast<double>(n));
    const int64_t act = size(i_act, "activation");
    if (!failed && act > kActPrelu) fail("activation must be 0 (none), 1 (relu), 2 (relu6), 3 (leakyrelu), 4 (sigmoid), 5 (elu) or 6 (prelu)");
    e.act = static_cast<int>(act);
    napi_valuetype alpha_type = napi_undefined;
    if (!failed) napi_typeof(env, argv[i_alpha], &alpha_type);
    e.alpha = alpha_type == napi_null || alpha_type == napi_undefined ? 0.f
                                                                      : static_cast<float>(number(i_alpha, "alpha"));
    e.prelu = f32(i_prelu, "preluAlpha", &prelu_len, true);
    if (e.act == kActPrelu) {
      if (e.prelu == nullptr) fail("preluAlpha is required for activation 6 (prelu)");
      need("preluAlpha", prelu_len, static_cast<double>(n));
    }
    return e;
  }

 private:
  template <class T>
  T* typed(size_t i, const char* name, size_t* length, napi_typedarray_type want, const char* expected, bool allow_null) {
    *length = 0;
    if (failed) return nullptr;
    napi_valuetype type;
    napi_typeof(env, argv[i], &type);
    if (allow_null && (type == napi_null || type == napi_undefined)) return nullptr;
    bool is_typed = false;
    napi_is_typedarray(env, argv[i], &is_typed);
    napi_typedarray_type ta;
    size_t len = 0;
    void* data = nullptr;
    if (!is_typed || napi_get_typedarray_info(env, argv[i], &ta, &len, &data, nullptr, nullptr) != napi_ok ||
        ta != want) {
      fail_arg(name, expected);
      return nullptr;
    }
    *length = len;
    // A zero-length view may have no backing store; any non-null pointer will do then.
    static T empty[1];
    return data != nullptr ? static_cast<T*>(data) : empty;
  }
};

inline napi_value undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

// The 15 geometry numbers shared by the convolutions, from argument `i`.
inline bool conv_geom(Args& a, size_t i, ConvGeom* g) {
  g->batch = a.dim(i + 0, "batch");
  g->inH = a.dim(i + 1, "inH");
  g->inW = a.dim(i + 2, "inW");
  g->inC = a.dim(i + 3, "inC");
  g->outH = a.dim(i + 4, "outH");
  g->outW = a.dim(i + 5, "outW");
  g->outC = a.dim(i + 6, "outC");
  g->fH = a.dim(i + 7, "filterH", 1);
  g->fW = a.dim(i + 8, "filterW", 1);
  g->sH = a.dim(i + 9, "strideH", 1);
  g->sW = a.dim(i + 10, "strideW", 1);
  g->dH = a.dim(i + 11, "dilationH", 1);
  g->dW = a.dim(i + 12, "dilationW", 1);
  g->padT = a.dim(i + 13, "padTop");
  g->padL = a.dim(i + 14, "padLeft");
  a.bounded("the input shape", {g->batch, g->inH, g->inW, g->inC});
  a.bounded("the output shape", {g->batch, g->outH, g->outW, g->outC});
  a.bounded("the filter shape", {g->fH, g->fW, g->inC, g->outC});
  return !a.failed;
}

inline double conv_x_len(const ConvGeom& g) { return static_cast<double>(g.batch) * g.inH * g.inW * g.inC; }
inline double conv_y_len(const ConvGeom& g) { return static_cast<double>(g.batch) * g.outH * g.outW * g.outC; }
inline double conv_w_len(const ConvGeom& g) { return static_cast<double>(g.fH) * g.fW * g.inC * g.outC; }

// The 14 geometry numbers of the pools, from argument `i`.
inline bool pool_geom(Args& a, size_t i, PoolGeom* g) {
  g->batch = a.dim(i + 0, "batch");
  g->inH = a.dim(i + 1, "inH");
  g->inW = a.dim(i + 2, "inW");
  g->C = a.dim(i + 3, "channels");
  g->outH = a.dim(i + 4, "outH");
  g->outW = a.dim(i + 5, "outW");
  g->fH = a.dim(i + 6, "filterH", 1);
  g->fW = a.dim(i + 7, "filterW", 1);
  g->sH = a.dim(i + 8, "strideH", 1);
  g->sW = a.dim(i + 9, "strideW", 1);
  g->dH = a.dim(i + 10, "dilationH", 1);
  g->dW = a.dim(i + 11, "dilationW", 1);
  g->padT = a.dim(i + 12, "padTop");
  g->padL = a.dim(i + 13, "padLeft");
  a.bounded("the input shape", {g->batch, g->inH, g->inW, g->C});
  a.bounded("the output shape", {g->batch, g->outH, g->outW, g->C});
  return !a.failed;
}

inline double pool_x_len(const PoolGeom& g) { return static_cast<double>(g.batch) * g.inH * g.inW * g.C; }
inline double pool_y_len(const PoolGeom& g) { return static_cast<double>(g.batch) * g.outH * g.outW * g.C; }

inline napi_value number_value(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

inline napi_value string_value(napi_env env, const char* s) {
  napi_value r;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &r);
  return r;
}

}  // namespace dn
