/** Where a study stands, as `distillery status` prints it. */
export interface StudyStatus {
  readonly id: string;
  readonly name: string;
  readonly state: 'setting up' | 'running' | 'summarizing' | 'done' | 'failed' | 'waiting';
  readonly setup: readonly TaskStatus[];
  readonly runs: readonly TaskStatus[];
  /** Workers connected to the queue now. */
  readonly workers: readonly string[];
  /** Seconds left, from the mean time of the runs done so far over the workers connected; absent before any is done. */
  readonly etaSeconds?: number;
  /** The summary job's value once the study is done. */
  readonly result?: unknown;
  readonly failedReason?: string;
}

export interface TaskStatus {
  readonly label: string;
  readonly state: 'waiting' | 'running' | 'done' | 'failed' | 'retrying';
  /** The worker running it, or the one that finished it. */
  readonly worker?: string;
  /** The handler's last progress (stage, epoch, …). */
  readonly progress?: Readonly<Record<string, string | number>>;
  readonly failedReason?: string;
  readonly attempts: number;
  /** Wall time of a finished job. */
  readonly seconds?: number;
}
