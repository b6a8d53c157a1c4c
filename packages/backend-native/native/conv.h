// 2-D convolution (NHWC, filter [fh, fw, inC, outC]) and pooling (NHWC), forward and gradients.
#pragma once

#include <cstdint>

#include "common.h"

namespace dn {

struct ConvGeom {
  int64_t batch, inH, inW, inC, outH, outW, outC;
  int64_t fH, fW, sH, sW, dH, dW, padT, padL;
};

// out[b, oy, ox, o] = act(bias[o] + sum x[b, oy*sH - padT + ky*dH, ox*sW - padL + kx*dW, c] * w[ky, kx, c, o])
// (positions outside x read as 0).
void conv2d_forward(const float* x, const float* w, float* out, const ConvGeom& g, const Epilogue& epi);
// dx = d(out)/dx^T dy (written, not accumulated).
void conv2d_backprop_input(const float* dy, const float* w, float* dx, const ConvGeom& g);
// dw = d(out)/dw^T dy (written, not accumulated).
void conv2d_backprop_filter(const float* x, const float* dy, float* dw, const ConvGeom& g);

struct PoolGeom {
  int64_t batch, inH, inW, C, outH, outW;
  int64_t fH, fW, sH, sW, dH, dW, padT, padL;
};

// Like tfjs-backend-cpu: max ignores padding (an empty window gives -Infinity); avg divides by the
// number of in-bounds positions (an empty window gives NaN).
void max_pool(const float* x, float* out, const PoolGeom& g);
void avg_pool(const float* x, float* out, const PoolGeom& g);
// dy goes to the first maximum of each window (window order, strict >); windows with no maximum (all
// NaN or -Infinity) route nothing. dx is written.
void max_pool_backprop(const float* dy, const float* x, float* dx, const PoolGeom& g);
// dy / (fH * fW) goes to every in-bounds position of each window (padded positions count in the divisor,
// as in tfjs). dx is written.
void avg_pool_backprop(const float* dy, float* dx, const PoolGeom& g);

}  // namespace dn

namespace dn {

// The filter gradient of a depthwise convolution (tfjs's DepthwiseConv2dNativeBackpropFilter), NHWC, dilation 1:
// dw[ky, kx, c, m] = Σ_b Σ_oy Σ_ox x[b, oy·sH + ky − padT, ox·sW + kx − padL, c] · dy[b, oy, ox, c·M + m],
// with M = outC / inC, summed in double precision in (b, oy, ox) order and rounded once, as the cpu kernel does.
void depthwise_conv2d_backprop_filter(const float* x, const float* dy, float* dw, const ConvGeom& g);
// The depthwise convolution itself (tfjs's DepthwiseConv2dNative), w [fH, fW, inC, M]:
// out[b, oy, ox, c·M + m] accumulates x[b, oy·sH + ky·dH − padT, ox·sW + kx·dW − padL, c] · w[ky, kx, c, m] over
// the taps in (ky, kx) order, each addition rounded to float32 as the cpu kernel's Float32Array does.
void depthwise_conv2d_forward(const float* x, const float* w, float* out, const ConvGeom& g);
// Its input gradient (tfjs's DepthwiseConv2dNativeBackpropInput), dilation 1: dx[b, iy, ix, c] =
// Σ_oy Σ_ox Σ_m dy[b, oy, ox, c·M + m] · w[iy + padT − oy·sH, ix + padL − ox·sW, c, m], in double in that order.
void depthwise_conv2d_backprop_input(const float* dy, const float* w, float* dx, const ConvGeom& g);

}  // namespace dn
