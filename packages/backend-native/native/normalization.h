// Batch normalisation in training mode (Ioffe & Szegedy 2015) over x of rows × channels (NHWC flattened:
// one row per batch element and position), forward and backward each in two passes over memory, where the
// composed tensor operations tfjs-layers' BatchNormalization differentiates take some thirty.
//
// Sums over the rows run in double precision in chunks of rows whose partial sums are added in chunk
// order, so the values do not depend on the number of threads. The per-element passes are float32.
#pragma once

#include <cstdint>

namespace dn {

// mean = Σ x / rows and variance = Σ (x − mean)² / rows per channel (biased, as tf.moments gives it), then
// y = (x − mean) · scale / √(variance + ε) + offset.
void batch_norm_train(const float* x, int64_t rows, int64_t channels, const float* scale, const float* offset,
                      double epsilon, float* y, float* mean, float* variance);

// The gradients of that y with respect to x, scale and offset, given dy and the forward's mean and variance
// (inv = 1 / √(variance + ε), x̂ = (x − mean) · inv, n = rows):
//   doffset = Σ dy;  dscale = Σ dy · x̂;  dx = scale · inv · (dy − doffset / n − x̂ · dscale / n).
void batch_norm_train_grad(const float* dy, const float* x, int64_t rows, int64_t channels, const float* scale,
                           const float* mean, const float* variance, double epsilon, float* dx, float* dscale,
                           float* doffset);

}  // namespace dn
