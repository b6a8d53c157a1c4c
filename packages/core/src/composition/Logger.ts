/** DI token for where the kernel reports what it decided (backend choice, frozen teachers, conversions). */
export const Logger = Symbol.for('@distillery/core/Logger');

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}
