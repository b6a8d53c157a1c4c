import { runProgram } from '@distillery/cli';

/** What one in-process `distillery …` call printed, and its exit code. */
export interface DistilleryOutcome {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

/** Runs the command line in this process, collecting stdout and stderr lines. */
export async function runDistillery(...argv: string[]): Promise<DistilleryOutcome> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runProgram(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}
