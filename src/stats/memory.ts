import { counterAt } from './json.ts';

/**
 * Memory as `docker stats` shows it: usage minus the inactive page cache the kernel can drop
 * at no cost (`total_inactive_file` on cgroup v1, `inactive_file` on v2), when that is smaller.
 */
export function usageWithoutCache(usage: number, stats: unknown): number {
  const v1 = counterAt(stats, 'total_inactive_file');
  if (v1 !== null && v1 < usage) return usage - v1;
  const v2 = counterAt(stats, 'inactive_file') ?? 0;
  return v2 < usage ? usage - v2 : usage;
}

export function memPercent(usage: number | null, limit: number | null): number | null {
  if (usage === null || limit === null || limit <= 0) return null;
  return (usage / limit) * 100;
}
