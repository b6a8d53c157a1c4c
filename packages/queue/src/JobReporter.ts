/** Given to a handler for the job it runs. */
export interface JobReporter {
  /** The worker's name, as `distillery status` and the report show it. */
  readonly worker: string;
  /** Where the job is (its stage, epoch, …), for `distillery status`; sent at most four times a second, never blocking. */
  progress(state: Readonly<Record<string, string | number>>): void;
}
