export { loadOnnxTeacher } from './loadOnnxTeacher.js';
export type { OnnxLayout } from './OnnxLayout.js';
export type { OnnxTeacherOptions } from './OnnxTeacherOptions.js';
export { onnxTeacher } from './onnxTeacher.js';
