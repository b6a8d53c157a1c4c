// N-API bindings of distillery_native (C API only, context-aware, no exceptions).
// Every array argument is a Float32Array used in place (no copy); every size is an integer number.
// Bad arguments throw a TypeError naming the function and the argument.
#include <node_api.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <string>

#include "bindings.h"
#include "conv.h"
#include "gemm.h"
#include "napi_args.h"
#include "threadpool.h"

namespace dn {
namespace {

// matMul(a, b, out, batch, m, n, k, transA, transB, aBatchStride, bBatchStride, bias, activation, alpha,
//        preluAlpha)
napi_value MatMul(napi_env env, napi_callback_info info) {
  Args a(env, info, "matMul", 15);
  if (a.failed) return nullptr;
  size_t la, lb, lo;
  const float* A = a.f32(0, "a", &la);
  const float* B = a.f32(1, "b", &lb);
  float* out = a.f32(2, "out", &lo);
  const int64_t batch = a.size(3, "batch"), m = a.size(4, "m"), n = a.size(5, "n"), k = a.size(6, "k");
  const bool ta = a.flag(7, "transA"), tb = a.flag(8, "transB");
  const int64_t sa = a.size(9, "aBatchStride"), sb = a.size(10, "bBatchStride");
  const Epilogue e = a.epilogue(11, 12, 13, 14, n);
  if (a.failed) return nullptr;
  const double mk = static_cast<double>(m) * k, kn = static_cast<double>(k) * n;
  if (batch > 0 && mk > 0) a.need("a", la, static_cast<double>(batch - 1) * sa + mk);
  if (batch > 0 && kn > 0) a.need("b", lb, static_cast<double>(batch - 1) * sb + kn);
  a.need("out", lo, static_cast<double>(batch) * m * n);
  a.disjoint("out", out, lo, "a", A, la);
  a.disjoint("out", out, lo, "b", B, lb);
  if (a.failed) return nullptr;
  GemmArgs g;
  g.M = m;
  g.N = n;
  g.K = k;
  g.A = A;
  g.lda = ta ? m : k;
  g.transA = ta;
  g.B = B;
  g.ldb = tb ? k : n;
  g.transB = tb;
  g.C = out;
  g.ldc = n;
  g.epi = e;
  sgemm_batched(g, batch, sa, sb, m * n);
  return undefined(env);
}

// conv2d(x, filter, out, <15 geometry numbers>, bias, activation, alpha, preluAlpha)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  Args a(env, info, "conv2d", 22);
  if (a.failed) return nullptr;
  size_t lx, lw, lo;
  const float* x = a.f32(0, "x", &lx);
  const float* w = a.f32(1, "filter", &lw);
  float* out = a.f32(2, "out", &lo);
  ConvGeom g;
  if (!conv_geom(a, 3, &g)) return nullptr;
  const Epilogue e = a.epilogue(18, 19, 20, 21, g.outC);
  a.need("x", lx, conv_x_len(g));
  a.need("filter", lw, conv_w_len(g));
  a.need("out", lo, conv_y_len(g));
  a.disjoint("out", out, lo, "x", x, lx);
  a.disjoint("out", out, lo, "filter", w, lw);
  if (a.failed) return nullptr;
  conv2d_forward(x, w, out, g, e);
  return undefined(env);
}

// conv2dBackpropInput(dy, filter, dx, <15 geometry numbers>)
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  Args a(env, info, "conv2dBackpropInput", 18);
  if (a.failed) return nullptr;
  size_t ly, lw, lx;
  const float* dy = a.f32(0, "dy", &ly);
  const float* w = a.f32(1, "filter", &lw);
  float* dx = a.f32(2, "dx", &lx);
  ConvGeom g;
  if (!conv_geom(a, 3, &g)) return nullptr;
  a.need("dy", ly, conv_y_len(g));
  a.need("filter", lw, conv_w_len(g));
  a.need("dx", lx, conv_x_len(g));
  a.disjoint("dx", dx, lx, "dy", dy, ly);
  a.disjoint("dx", dx, lx, "filter", w, lw);
  if (a.failed) return nullptr;
  conv2d_backprop_input(dy, w, dx, g);
  return undefined(env);
}

// conv2dBackpropFilter(x, dy, dw, <15 geometry numbers>)
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  Args a(env, info, "conv2dBackpropFilter", 18);
  if (a.failed) return nullptr;
  size_t lx, ly, lw;
  const float* x = a.f32(0, "x", &lx);
  const float* dy = a.f32(1, "dy", &ly);
  float* dw = a.f32(2, "dw", &lw);
  ConvGeom g;
  if (!conv_geom(a, 3, &g)) return nullptr;
  a.need("x", lx, conv_x_len(g));
  a.need("dy", ly, conv_y_len(g));
  a.need("dw", lw, conv_w_len(g));
  a.disjoint("dw", dw, lw, "x", x, lx);
  a.disjoint("dw", dw, lw, "dy", dy, ly);
  if (a.failed) return nullptr;
  conv2d_backprop_filter(x, dy, dw, g);
  return undefined(env);
}

template <bool kMax>
napi_value PoolForward(napi_env env, napi_callback_info info) {
  Args a(env, info, kMax ? "maxPool" : "avgPool", 16);
  if (a.failed) return nullptr;
  size_t lx, lo;
  const float* x = a.f32(0, "x", &lx);
  float* out = a.f32(1, "out", &lo);
  PoolGeom g;
  if (!pool_geom(a, 2, &g)) return nullptr;
  a.need("x", lx, pool_x_len(g));
  a.need("out", lo, pool_y_len(g));
  a.disjoint("out", out, lo, "x", x, lx);
  if (a.failed) return nullptr;
  if (kMax) {
    max_pool(x, out, g);
  } else {
    avg_pool(x, out, g);
  }
  return undefined(env);
}

// maxPoolBackprop(dy, x, dx, <14 geometry numbers>)
napi_value MaxPoolBackprop(napi_env env, napi_callback_info info) {
  Args a(env, info, "maxPoolBackprop", 17);
  if (a.failed) return nullptr;
  size_t ly, lx, ld;
  const float* dy = a.f32(0, "dy", &ly);
  const float* x = a.f32(1, "x", &lx);
  float* dx = a.f32(2, "dx", &ld);
  PoolGeom g;
  if (!pool_geom(a, 3, &g)) return nullptr;
  a.need("dy", ly, pool_y_len(g));
  a.need("x", lx, pool_x_len(g));
  a.need("dx", ld, pool_x_len(g));
  a.disjoint("dx", dx, ld, "dy", dy, ly);
  a.disjoint("dx", dx, ld, "x", x, lx);
  if (a.failed) return nullptr;
  max_pool_backprop(dy, x, dx, g);
  return undefined(env);
}

// avgPoolBackprop(dy, dx, <14 geometry numbers>)
napi_value AvgPoolBackprop(napi_env env, napi_callback_info info) {
  Args a(env, info, "avgPoolBackprop", 16);
  if (a.failed) return nullptr;
  size_t ly, ld;
  const float* dy = a.f32(0, "dy", &ly);
  float* dx = a.f32(1, "dx", &ld);
  PoolGeom g;
  if (!pool_geom(a, 2, &g)) return nullptr;
  a.need("dy", ly, pool_y_len(g));
  a.need("dx", ld, pool_x_len(g));
  a.disjoint("dx", dx, ld, "dy", dy, ly);
  if (a.failed) return nullptr;
  avg_pool_backprop(dy, dx, g);
  return undefined(env);
}

// depthwiseConv2dBackpropFilter(x, dy, dw, <15 geometry numbers>): outC = inC · multiplier, dilation 1.
napi_value DepthwiseConv2dBackpropFilter(napi_env env, napi_callback_info info) {
  Args a(env, info, "depthwiseConv2dBackpropFilter", 18);
  if (a.failed) return nullptr;
  size_t lx, ldy, ldw;
  const float* x = a.f32(0, "x", &lx);
  const float* dy = a.f32(1, "dy", &ldy);
  float* dw = a.f32(2, "dw", &ldw);
  ConvGeom g;
  if (!conv_geom(a, 3, &g)) return nullptr;
  if (g.inC == 0 || g.outC % g.inC != 0) a.fail("outC must be a positive multiple of inC");
  if (!a.failed && (g.dH != 1 || g.dW != 1)) a.fail("dilations must be 1");
  a.need("x", lx, conv_x_len(g));
  a.need("dy", ldy, conv_y_len(g));
  a.need("dw", ldw, static_cast<double>(g.fH) * g.fW * g.outC);
  a.disjoint("dw", dw, ldw, "x", x, lx);
  a.disjoint("dw", dw, ldw, "dy", dy, ldy);
  if (a.failed) return nullptr;
  depthwise_conv2d_backprop_filter(x, dy, dw, g);
  return undefined(env);
}

// depthwiseConv2d(x, w, out, <15 geometry numbers>) and depthwiseConv2dBackpropInput(dy, w, dx, <15 geometry
// numbers>; dilation 1): outC = inC · multiplier, w [fH, fW, inC, multiplier].
template <bool kForward>
napi_value DepthwiseConv2dOrBackpropInput(napi_env env, napi_callback_info info) {
  const char* name = kForward ? "depthwiseConv2d" : "depthwiseConv2dBackpropInput";
  Args a(env, info, name, 18);
  if (a.failed) return nullptr;
  size_t lin, lw, lout;
  const float* in = a.f32(0, kForward ? "x" : "dy", &lin);
  const float* w = a.f32(1, "w", &lw);
  float* out = a.f32(2, kForward ? "out" : "dx", &lout);
  ConvGeom g;
  if (!conv_geom(a, 3, &g)) return nullptr;
  if (g.inC == 0 || g.outC % g.inC != 0) a.fail("outC must be a positive multiple of inC");
  if (!kForward && !a.failed && (g.dH != 1 || g.dW != 1)) a.fail("dilations must be 1");
  a.need(kForward ? "x" : "dy", lin, kForward ? conv_x_len(g) : conv_y_len(g));
  a.need("w", lw, static_cast<double>(g.fH) * g.fW * g.outC);
  a.need(kForward ? "out" : "dx", lout, kForward ? conv_y_len(g) : conv_x_len(g));
  a.disjoint(kForward ? "out" : "dx", out, lout, kForward ? "x" : "dy", in, lin);
  a.disjoint(kForward ? "out" : "dx", out, lout, "w", w, lw);
  if (a.failed) return nullptr;
  if (kForward) {
    depthwise_conv2d_forward(in, w, out, g);
  } else {
    depthwise_conv2d_backprop_input(in, w, out, g);
  }
  return undefined(env);
}

// setThreads(n) -> the count now in force
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a(env, info, "setThreads", 1);
  const int64_t n = a.size(0, "n", 1);
  if (a.failed) return nullptr;
  return number_value(env, pool_set_threads(static_cast<int>(n > 64 ? 64 : n)));
}

napi_value Threads(napi_env env, napi_callback_info info) {
  Args a(env, info, "threads", 0);
  if (a.failed) return nullptr;
  return number_value(env, pool_threads());
}

napi_value Simd(napi_env env, napi_callback_info info) {
  Args a(env, info, "simd", 0);
  if (a.failed) return nullptr;
  return string_value(env, active_kernels().name);
}

// setSimd('avx512' | 'avx2' | 'scalar') -> the flavour now in force (never above what the CPU supports).
napi_value SetSimd(napi_env env, napi_callback_info info) {
  Args a(env, info, "setSimd", 1);
  if (a.failed) return nullptr;
  char buf[16] = {0};
  size_t len = 0;
  if (napi_get_value_string_utf8(env, a.argv[0], buf, sizeof(buf), &len) != napi_ok) {
    a.fail("level must be 'avx512', 'avx2' or 'scalar'");
    return nullptr;
  }
  int level;
  if (std::strcmp(buf, "avx512") == 0) {
    level = 2;
  } else if (std::strcmp(buf, "avx2") == 0) {
    level = 1;
  } else if (std::strcmp(buf, "scalar") == 0) {
    level = 0;
  } else {
    a.fail("level must be 'avx512', 'avx2' or 'scalar'");
    return nullptr;
  }
  set_simd_level(level);
  return string_value(env, active_kernels().name);
}

// Blocking parameters of the flavour in use, for diagnostics: {simd, mr, nr, mc, kc, nc, threads}.
napi_value Info(napi_env env, napi_callback_info info) {
  Args a(env, info, "info", 0);
  if (a.failed) return nullptr;
  const KernelSet& ks = active_kernels();
  napi_value o;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "simd", string_value(env, ks.name));
  napi_set_named_property(env, o, "mr", number_value(env, ks.mr));
  napi_set_named_property(env, o, "nr", number_value(env, ks.nr));
  napi_set_named_property(env, o, "mc", number_value(env, static_cast<double>(ks.mc)));
  napi_set_named_property(env, o, "kc", number_value(env, static_cast<double>(ks.kc)));
  napi_set_named_property(env, o, "nc", number_value(env, static_cast<double>(ks.nc)));
  napi_set_named_property(env, o, "threads", number_value(env, pool_threads()));
  return o;
}

}  // namespace
}  // namespace dn

NAPI_MODULE_INIT() {
  using namespace dn;
  const napi_property_descriptor props[] = {
      {"matMul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2dBackpropInput, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2dBackpropFilter, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPool", nullptr, PoolForward<true>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPoolBackprop", nullptr, MaxPoolBackprop, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"avgPool", nullptr, PoolForward<false>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"avgPoolBackprop", nullptr, AvgPoolBackprop, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binaryBroadcast", nullptr, BinaryBroadcast, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"compareBroadcast", nullptr, CompareBroadcast, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNorm", nullptr, BatchNorm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormTrain", nullptr, BatchNormTrain, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormTrainGrad", nullptr, BatchNormTrainGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"depthwiseConv2dBackpropFilter", nullptr, DepthwiseConv2dBackpropFilter, nullptr, nullptr, nullptr, napi_enumerable,
       nullptr},
      {"depthwiseConv2d", nullptr, DepthwiseConv2dOrBackpropInput<true>, nullptr, nullptr, nullptr, napi_enumerable,
       nullptr},
      {"depthwiseConv2dBackpropInput", nullptr, DepthwiseConv2dOrBackpropInput<false>, nullptr, nullptr, nullptr,
       napi_enumerable, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adamUpdate", nullptr, AdamUpdate, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"simd", nullptr, Simd, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setSimd", nullptr, SetSimd, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
