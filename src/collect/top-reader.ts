/**
 * Processes through the engine's top endpoint, where /proc is not ours to read (macOS, Windows, a
 * remote engine): the engine runs `ps` for us. Each call costs the engine a `ps` of the whole host,
 * so the collector asks at a slow rate and only for containers someone looks at or that are near
 * their limit. One request in flight per container.
 */
import type { EngineClient } from '../docker/client.ts';
import { mapLimit } from '../util/limit.ts';
import type { ProcessReader, RawProcess } from './process-reading.ts';

/** BSD-style fields every procps and busybox `ps` on an engine's host knows. */
export const TOP_PS_ARGS = '-o pid,ppid,rss,args';
const KIB = 1024;

function column(titles: readonly unknown[], ...names: string[]): number {
  return titles.findIndex((t) => typeof t === 'string' && names.includes(t.toUpperCase()));
}

function integer(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null;
  return n !== null && Number.isSafeInteger(n) ? n : null;
}

/**
 * `{ Titles, Processes }` → processes. Columns are found by title, so an engine whose ps ignores
 * the arguments (Windows containers answer with their own table) gives what it has: a process
 * without an RSS column has none.
 */
export function parseTop(json: unknown): RawProcess[] {
  const { Titles: titles, Processes: rows } = (json ?? {}) as { Titles?: unknown; Processes?: unknown };
  if (!Array.isArray(titles) || !Array.isArray(rows)) return [];
  const pidAt = column(titles, 'PID');
  const ppidAt = column(titles, 'PPID');
  const rssAt = column(titles, 'RSS', 'RSZ');
  const commandAt = column(titles, 'COMMAND', 'CMD', 'ARGS', 'NAME');
  const out: RawProcess[] = [];
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    const pid = integer(row[pidAt]);
    if (pid === null) continue;
    const rss = integer(row[rssAt]);
    const command = typeof row[commandAt] === 'string' ? row[commandAt] : '';
    out.push({
      pid,
      ppid: integer(row[ppidAt]),
      argv: command.split(' ').filter((w) => w !== ''),
      rssBytes: rss === null ? null : rss * KIB,
      ending: command.endsWith('<defunct>'),
    });
  }
  return out;
}

export function createTopReader(options: {
  readonly client: EngineClient;
  readonly requestTimeoutMs: number;
}): ProcessReader {
  const inFlight = new Set<string>();
  return {
    kind: 'top',
    async read(containers) {
      const out = new Map<string, RawProcess[]>();
      const asked = containers.filter((c) => !inFlight.has(c.id));
      await mapLimit(asked, 4, async ({ id }) => {
        inFlight.add(id);
        try {
          const json = await options.client.top(
            id,
            TOP_PS_ARGS,
            AbortSignal.timeout(options.requestTimeoutMs),
          );
          out.set(id, parseTop(json));
        } catch {
          // Stopped or gone meanwhile: the next ask, if any, tries again.
        } finally {
          inFlight.delete(id);
        }
      });
      return out;
    },
    forget() {},
    close() {},
  };
}
