// The depthwise convolution and its gradients (see conv.h). tfjs's cpu kernels walk one channel at a time
// through index arithmetic (the filter gradient alone took 12 s of a 15 s MobileNetV2-style step); here every
// loop's innermost axis is the contiguous NHWC channel axis, vectorised, and rows or filter taps are split
// between threads. A product of two floats is exact in double, and each output keeps the cpu kernel's order of
// accumulation and its rounding (double sums rounded once; the forward pass rounds to float32 after every
// tap, as the cpu kernel's Float32Array does), so the values are its own bit for bit.
#include <cstdint>
#include <vector>

#include "conv.h"
#include "threadpool.h"

namespace dn {

void depthwise_conv2d_backprop_filter(const float* x, const float* dy, float* dw, const ConvGeom& g) {
  const int64_t multiplier = g.outC / g.inC;
  const int64_t taps = g.fH * g.fW;
  parallel_for(pool_threads(), taps, [&](int64_t tap, int) {
    const int64_t ky = tap / g.fW, kx = tap % g.fW;
    std::vector<double> sums(static_cast<size_t>(g.outC), 0.0);
    double* acc = sums.data();
    for (int64_t b = 0; b < g.batch; ++b) {
      for (int64_t oy = 0; oy < g.outH; ++oy) {
        const int64_t iy = oy * g.sH + ky - g.padT;
        if (iy < 0 || iy >= g.inH) continue;
        for (int64_t ox = 0; ox < g.outW; ++ox) {
          const int64_t ix = ox * g.sW + kx - g.padL;
          if (ix < 0 || ix >= g.inW) continue;
          const float* xp = x + ((b * g.inH + iy) * g.inW + ix) * g.inC;
          const float* dp = dy + ((b * g.outH + oy) * g.outW + ox) * g.outC;
          if (multiplier == 1) {
            for (int64_t c = 0; c < g.outC; ++c) acc[c] += static_cast<double>(xp[c]) * static_cast<double>(dp[c]);
          } else {
            for (int64_t o = 0; o < g.outC; ++o) {
              acc[o] += static_cast<double>(xp[o / multiplier]) * static_cast<double>(dp[o]);
            }
          }
        }
      }
    }
    // dw is [fH, fW, inC, multiplier]: channel-major within a tap, which is the order of o = c·M + m.
    float* out = dw + tap * g.outC;
    for (int64_t o = 0; o < g.outC; ++o) out[o] = static_cast<float>(acc[o]);
  });
}

void depthwise_conv2d_forward(const float* x, const float* w, float* out, const ConvGeom& g) {
  const int64_t multiplier = g.outC / g.inC;
  const int64_t rows = g.batch * g.outH;
  parallel_for(pool_threads(), rows, [&](int64_t row, int) {
    const int64_t b = row / g.outH, oy = row % g.outH;
    float* yrow = out + row * g.outW * g.outC;
    for (int64_t ox = 0; ox < g.outW; ++ox) {
      float* y = yrow + ox * g.outC;
      for (int64_t o = 0; o < g.outC; ++o) y[o] = 0.f;
      for (int64_t ky = 0; ky < g.fH; ++ky) {
        const int64_t iy = oy * g.sH - g.padT + ky * g.dH;
        if (iy < 0 || iy >= g.inH) continue;
        for (int64_t kx = 0; kx < g.fW; ++kx) {
          const int64_t ix = ox * g.sW - g.padL + kx * g.dW;
          if (ix < 0 || ix >= g.inW) continue;
          const float* xp = x + ((b * g.inH + iy) * g.inW + ix) * g.inC;
          const float* wp = w + (ky * g.fW + kx) * g.outC;
          if (multiplier == 1) {
            for (int64_t c = 0; c < g.outC; ++c) {
              y[c] = static_cast<float>(static_cast<double>(y[c]) + static_cast<double>(xp[c]) * wp[c]);
            }
          } else {
            for (int64_t o = 0; o < g.outC; ++o) {
              y[o] = static_cast<float>(static_cast<double>(y[o]) + static_cast<double>(xp[o / multiplier]) * wp[o]);
            }
          }
        }
      }
    }
  });
}

void depthwise_conv2d_backprop_input(const float* dy, const float* w, float* dx, const ConvGeom& g) {
  const int64_t multiplier = g.outC / g.inC;
  const int64_t rows = g.batch * g.inH;
  parallel_for(pool_threads(), rows, [&](int64_t row, int) {
    const int64_t b = row / g.inH, iy = row % g.inH;
    std::vector<double> sums(static_cast<size_t>(g.inC));
    double* acc = sums.data();
    for (int64_t ix = 0; ix < g.inW; ++ix) {
      for (int64_t c = 0; c < g.inC; ++c) acc[c] = 0.0;
      for (int64_t oy = 0; oy < g.outH; ++oy) {
        const int64_t ky = iy + g.padT - oy * g.sH;
        if (ky < 0 || ky >= g.fH) continue;
        for (int64_t ox = 0; ox < g.outW; ++ox) {
          const int64_t kx = ix + g.padL - ox * g.sW;
          if (kx < 0 || kx >= g.fW) continue;
          const float* dp = dy + ((b * g.outH + oy) * g.outW + ox) * g.outC;
          const float* wp = w + (ky * g.fW + kx) * g.outC;
          if (multiplier == 1) {
            for (int64_t c = 0; c < g.inC; ++c) acc[c] += static_cast<double>(dp[c]) * static_cast<double>(wp[c]);
          } else {
            for (int64_t c = 0; c < g.inC; ++c) {
              for (int64_t m = 0; m < multiplier; ++m) {
                acc[c] += static_cast<double>(dp[c * multiplier + m]) * static_cast<double>(wp[c * multiplier + m]);
              }
            }
          }
        }
      }
      float* out = dx + (row * g.inW + ix) * g.inC;
      for (int64_t c = 0; c < g.inC; ++c) out[c] = static_cast<float>(acc[c]);
    }
  });
}

}  // namespace dn
