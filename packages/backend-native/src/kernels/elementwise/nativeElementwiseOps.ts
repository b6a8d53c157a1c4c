/** The `op` codes of the addon's `binary` (the first four) and `binaryBroadcast`, and of its `unary` (native/*.h). */
export const nativeBinaryOp = { add: 0, sub: 1, mul: 2, div: 3, squaredDifference: 4, maximum: 5, minimum: 6 } as const;
export const nativeUnaryOp = { sqrt: 0, square: 1, relu: 2, step: 3 } as const;
