/**
 * What `kp doctor` prints for a human (stdout).
 */
import type {ChalkInstance} from 'chalk';
import type {DoctorResult} from '../../workflows/doctor/doctor.js';

/** One line per check, hints for what is not ok, and the verdict. */
export function renderDoctor(result: DoctorResult, color: ChalkInstance): string {
  const mark = {ok: color.green('✔'), warn: color.yellow('!'), fail: color.red('✖'), skip: color.dim('-')};
  const width = Math.max(...result.checks.map((c) => c.name.length));
  const lines = result.checks.map((c) => {
    const hint = c.status !== 'ok' && c.hint ? color.dim(`  → ${c.hint}`) : '';
    return `${mark[c.status]} ${c.name.padEnd(width)}  ${c.detail}${hint}`;
  });
  lines.push(result.ok ? color.green('All required checks passed.') : color.red('A required check failed.'));
  return lines.join('\n');
}
