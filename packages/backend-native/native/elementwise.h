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

// One Adam step over n parameters, reading each input once and writing each output once (an output may be
// its input, in place):
//   m = beta1·m + oneMinusBeta1·g,  v = beta2·v + oneMinusBeta2·g²,
//   variable = variable + (m / biasCorrection1) / (sqrt(v / biasCorrection2) + epsilon) · negLearningRate.
// Every operation is one correctly rounded float32 operation in that order, so the values equal those of
// the same formula composed of float32 tensor operations, bit for bit.
struct AdamScalars {
  float beta1, one_minus_beta1, beta2, one_minus_beta2, bias_correction1, bias_correction2, epsilon,
      neg_learning_rate;
};
void adam_update(const float* variable, const float* m, const float* v, const float* g, float* variable_out,
                 float* m_out, float* v_out, int64_t n, const AdamScalars& s);

}  // namespace dn
