/** One member of a CIFAR binary archive: its name (for error messages) and its bytes. */
export interface CifarBinaryFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}
