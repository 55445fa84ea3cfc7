import type { Endpoint } from '../docker/endpoint.ts';
import { socketName, type SocketPlaces } from '../docker/sockets.ts';

/**
 * An engine to name: a saved host, which keeps the name it was saved under, or an engine found
 * (like the docker CLI finds one) or given with `--host`, named after where it is.
 */
export type EngineToName =
  { readonly saved: string } | { readonly endpoint: Endpoint; readonly context?: string | undefined };

/** Who gets a name first when two want it: saved names, then names that say where, then `local`. */
const SAVED = 0;
const SPECIFIC = 1;
const FALLBACK = 2;

interface Wish {
  readonly index: number;
  readonly base: string;
  readonly rank: number;
}

/**
 * The name each engine goes by in samples, history keys and alerts, in the order given; no two
 * alike. An engine gets its saved name, else its Docker context's, else the name of a well-known
 * socket (`local` for /var/run/docker.sock, `colima`, `podman` …), else the address of a remote
 * engine, else `local`. A name wanted twice goes to the first of the higher rank, and the others
 * get `-2`, `-3` … after it, so that the same engines get the same names on every start.
 */
export function engineNames(engines: readonly EngineToName[], places: SocketPlaces): string[] {
  const byRank = engines
    .map((engine, index) => wishOf(engine, index, places))
    .sort((a, b) => a.rank - b.rank || a.index - b.index);
  const names = new Array<string>(engines.length);
  const taken = new Set<string>();
  const claim = (wish: Wish, name: string): void => {
    taken.add(name);
    names[wish.index] = name;
  };
  for (const wish of byRank) if (!taken.has(wish.base)) claim(wish, wish.base);
  for (const wish of byRank) if (names[wish.index] === undefined) claim(wish, firstFree(wish.base, taken));
  return names;
}

/** The name of an engine watched alone. */
export function engineName(engine: EngineToName, places: SocketPlaces): string {
  return wishOf(engine, 0, places).base;
}

function wishOf(engine: EngineToName, index: number, places: SocketPlaces): Wish {
  if ('saved' in engine) return { index, base: engine.saved, rank: SAVED };
  if (engine.context !== undefined) return { index, base: engine.context, rank: SPECIFIC };
  const { endpoint } = engine;
  const address = endpoint.url.replace(/^[a-z]+:\/\//, '');
  if (!endpoint.local) return { index, base: address, rank: SPECIFIC };
  const known = socketName(address, places);
  return { index, base: known ?? 'local', rank: known === null ? FALLBACK : SPECIFIC };
}

function firstFree(base: string, taken: ReadonlySet<string>): string {
  let n = 2;
  while (taken.has(`${base}-${n}`)) n++;
  return `${base}-${n}`;
}
