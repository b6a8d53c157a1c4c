import { DistilleryError } from '@distillery/core';

/**
 * Imports a package the CLI uses only for some configs or commands (onnxruntime is ~300 MB; the queue needs Redis),
 * turning its absence into one line saying what to install.
 */
export async function optionalPackage<T>(load: () => Promise<T>, name: string, what: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && (error as Error).message.includes(name)) {
      throw new DistilleryError(`${what} needs the package ${name}; install it with npm install ${name}`);
    }
    throw error;
  }
}
