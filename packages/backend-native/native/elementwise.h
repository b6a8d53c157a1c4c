// Elementwise float32 kernels: vectorised loops (auto-vectorised at -O3) split across the thread pool
// for large sizes. Each value is the correctly rounded float32 result, which is what the cpu backend's
// double-precision operation rounded to float32 gives for +, -, *, / and sqrt.
#pragma once

#include <cstdint>

namespace dn {

enum BinaryOp : int { kBinAdd = 0, kBinSub = 1, kBinMul = 2, kBinDiv = 3 };
enum UnaryOp : int { kUnSqrt = 0, kUnSquare = 1, kUnRelu = 2, kUnStep = 3 };

// out[i] = a[ia] op b[ib] for i in [0, n), where ia = i unless a_scalar (then 0), and likewise for b.
void binary_elementwise(int op, const float* a, bool a_scalar, const float* b, bool b_scalar, float* out,
                        int64_t n);
// out[i] = op(x[i]); alpha is Step's value at and below zero.
void unary_elementwise(int op, const float* x, float* out, int64_t n, float alpha);

}  // namespace dn
