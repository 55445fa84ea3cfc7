/** Retry delays for an engine that went away: quick at first, then no more than one try per `maxMs`. */
export function backoffDelay(attempt: number, baseMs = 1000, maxMs = 30_000): number {
  const exp = Math.min(attempt, 30);
  return Math.min(maxMs, baseMs * 2 ** exp);
}
