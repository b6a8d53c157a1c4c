import type { StudyStatus, TaskStatus } from './StudyStatus.js';

/** `distillery status` lines: the study's counts and ETA, then each running, retrying or failed job. */
export function formatStudyStatus(status: StudyStatus): string[] {
  const count = (state: TaskStatus['state']) => status.runs.filter((run) => run.state === state).length;
  const setupDone = status.setup.filter((task) => task.state === 'done').length;
  const parts = [
    `${count('done')}/${status.runs.length} runs done`,
    `${count('running')} running`,
    ...(count('retrying') > 0 ? [`${count('retrying')} to retry`] : []),
    `${count('failed')} failed`,
  ];
  if (status.setup.length > 0) parts.unshift(`setup ${setupDone}/${status.setup.length}`);
  const eta = status.etaSeconds === undefined ? '' : `; about ${duration(status.etaSeconds)} left`;
  const workers = `${status.workers.length} worker${status.workers.length === 1 ? '' : 's'} connected`;
  const lines = [`${status.name} (${status.id}): ${status.state} — ${parts.join(', ')}; ${workers}${eta}`];
  for (const task of [...status.setup, ...status.runs]) {
    if (task.state === 'running') lines.push(`  running  ${task.label} on ${task.worker ?? '?'}${where(task)}`);
    else if (task.state === 'retrying')
      lines.push(`  retrying ${task.label} (attempt ${task.attempts + 1}): ${firstLine(task.failedReason)}`);
    else if (task.state === 'failed') lines.push(`  failed   ${task.label}: ${firstLine(task.failedReason)}`);
  }
  if (status.state === 'failed' && status.failedReason !== undefined)
    lines.push(`  study failed: ${firstLine(status.failedReason)}`);
  return lines;
}

function where(task: TaskStatus): string {
  const progress = task.progress;
  if (progress === undefined || progress.stage === undefined) return '';
  const epoch = progress.epoch === undefined ? '' : `, epoch ${progress.epoch}/${progress.epochs ?? '?'}`;
  return `: stage ${progress.stage}${epoch}`;
}

function firstLine(text: string | undefined): string {
  return (text ?? 'no reason recorded').split('\n')[0] as string;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
