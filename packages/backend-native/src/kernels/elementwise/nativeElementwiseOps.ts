/** The `op` codes of the addon's `binary` and `unary` (native/elementwise.h). */
export const nativeBinaryOp = { add: 0, sub: 1, mul: 2, div: 3 } as const;
export const nativeUnaryOp = { sqrt: 0, square: 1, relu: 2, step: 3 } as const;
