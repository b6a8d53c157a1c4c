// Shared declarations of the distillery_native addon.
//
// Everything here is plain data or a declaration: the ISA-specific translation units (kernels_avx2.cc,
// kernels_avx512.cc) are compiled with extra -m flags, so no inline function or template that could be
// emitted there (and then merged by the linker into the baseline code) may live in this header.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dn {

// Fused epilogue activations; the numbers are the `activation` argument of the JS API.
enum Act : int {
  kActNone = 0,
  kActRelu = 1,
  kActRelu6 = 2,
  kActLeakyRelu = 3,
  kActSigmoid = 4,
  kActElu = 5,
  kActPrelu = 6,
};

// Applied to each element of C after the product: v = act(v + bias[col]).
// bias and prelu are indexed by the absolute column of C (length N); either may be null.
struct Epilogue {
  const float* bias = nullptr;
  const float* prelu = nullptr;  // per-column alpha, used by kActPrelu
  float alpha = 0.f;             // kActLeakyRelu slope
  int act = kActNone;
};

// One row-major single-precision product C[M x N] (+)= op(A)[M x K] * op(B)[K x N].
// op(A) = A (M x K, row stride lda) or, with transA, A^T where A is K x M (row stride lda); same for B.
struct GemmArgs {
  int64_t M = 0, N = 0, K = 0;
  const float* A = nullptr;
  int64_t lda = 0;
  bool transA = false;
  const float* B = nullptr;
  int64_t ldb = 0;
  bool transB = false;
  float* C = nullptr;
  int64_t ldc = 0;
  bool accumulate = false;  // C += product (before the epilogue) instead of C = product
  Epilogue epi;
};

// What one instruction-set flavour provides. gemm_block computes the sub-block C[m0:m1, n0:n1] of one
// product on the calling thread, using `ws` (workspace_floats(ks) floats, 64-byte aligned) for packing.
struct KernelSet {
  const char* name;
  int mr, nr;          // micro-tile: mr rows of A (broadcast) x nr columns of B (vector registers)
  int64_t mc, kc, nc;  // cache blocks: rows of A per packed panel, depth, columns of B per packed block
  void (*gemm_block)(const KernelSet& ks, const GemmArgs& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1,
                     float* ws);
};

// Floats of packing workspace gemm_block needs (a packed A panel and a packed B block).
size_t workspace_floats(const KernelSet& ks);

// Null where the flavour is not compiled in (non-x86 builds).
KernelSet* kernels_generic();
KernelSet* kernels_avx2();
KernelSet* kernels_avx512();

}  // namespace dn
