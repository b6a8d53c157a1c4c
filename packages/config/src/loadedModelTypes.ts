/** Teacher model types loaded from a file and used as they are, never trained here: no `training`, no teacher stage. */
export const loadedModelTypes: readonly string[] = ['file', 'onnx', 'graph-model'];
