import { builtInPolicies } from './builtInPolicies.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';

/**
 * The registry of the built-in policies, for the functional API (`combineTeachers`, `teacherWeights`,
 * `multiTeacherKdLoss`), which has no container: a policy key is looked up the one way the strategies look
 * it up, and an unknown key fails with the registry's message.
 */
export const builtInPolicyRegistry = new TeacherPolicyRegistry([...builtInPolicies.values()]);
