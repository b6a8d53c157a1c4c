// The depthwise convolution's filter gradient (see conv.h). tfjs's cpu kernel loops over every filter tap
// and channel and reads each element through index arithmetic: 12 s of a 15 s MobileNetV2-style step. Here
// each filter tap (ky, kx) walks the output positions once and accumulates all channels of a position in a
// row of doubles, so the inner loop is a vectorised multiply-add over contiguous NHWC channels; the taps are
// split between threads. Every product of two floats is exact in double, and each sum keeps the cpu kernel's
// (b, oy, ox) order, so the values are its own bit for bit.
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

}  // namespace dn
