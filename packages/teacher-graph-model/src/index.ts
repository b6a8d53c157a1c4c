export { type GraphModelTeacherOptions, graphModelTeacher } from './graphModelTeacher.js';
export type { LoadedGraphModel } from './LoadedGraphModel.js';
