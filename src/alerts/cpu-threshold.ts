/** CPU against what the container may use, raised only when sustained (see `sustained.ts`). */
import type { Sample } from '../model.ts';
import { formatDuration } from './format.ts';
import { step } from './noise.ts';
import { type Notice, noticeOf, severityOf } from './notice.ts';
import { sustainedLevel } from './sustained.ts';
import { CPU_POINTS_USED, type Track } from './track.ts';
import type { AlertSettings } from './types.ts';

export function cpuThreshold(t: Track, s: Sample, settings: AlertSettings, now: number): Notice | null {
  const cpu = settings.cpu;
  if (s.cpuOfLimitPercent !== null) {
    t.cpu.push(s.ts, s.cpuOfLimitPercent, cpu.sustainMs / CPU_POINTS_USED);
    t.cpu.keepFrom(s.ts - cpu.sustainMs);
  }
  const condition = t.conditions['cpu-threshold'];
  const level = sustainedLevel(condition.level, t.cpu, s.ts, cpu);
  const line = level === 'critical' ? cpu.criticalPercent : cpu.warningPercent;
  return noticeOf(
    step(condition, level, now, settings.cooldownMs),
    () => ({
      rule: 'cpu-threshold',
      severity: severityOf(level),
      message: `${t.name} has used over ${line} % of the CPU it may use for ${formatDuration(cpu.sustainMs / 1000)}`,
    }),
    () => ({ message: `${t.name} CPU is back under ${cpu.warningPercent} % of what it may use` }),
  );
}
