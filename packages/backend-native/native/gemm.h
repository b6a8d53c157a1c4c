// GEMM entry points above the per-ISA kernels: run-time dispatch, threading, batches, workspaces.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common.h"

namespace dn {

// The kernel flavour in use ('avx512', 'avx2' or 'scalar').
const KernelSet& active_kernels();
// Best flavour this CPU supports (2 avx512, 1 avx2, 0 scalar).
int detected_simd_level();
// Uses the flavour min(level, detected); returns the level now in force.
int set_simd_level(int level);

// C (+)= op(A) op(B) with the epilogue, split over up to `want_threads` pool participants.
void sgemm(const GemmArgs& g, int want_threads);
// The same on the calling thread only.
void sgemm_serial(const GemmArgs& g);
// `batch` products; A/B/C of product i start at i * a_stride / b_stride / c_stride floats (0 = broadcast).
void sgemm_batched(const GemmArgs& g, int64_t batch, int64_t a_stride, int64_t b_stride, int64_t c_stride);

// Below this many flops a product runs on one thread (waking the others costs more than it saves).
constexpr double kParallelMinFlops = 2e6;

// A 64-byte aligned scratch buffer of at least `floats` floats owned by the calling thread; slot 0 is
// the GEMM packing workspace, the others are free for callers (im2col buffers, partial sums).
float* thread_buffer(int slot, size_t floats);

}  // namespace dn
