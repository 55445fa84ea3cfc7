/** Go's zero time, which the engine sends as `preread` on a first or one-shot sample. */
const GO_ZERO_YEAR = 1;

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/**
 * An RFC 3339 timestamp with nanoseconds as the engine writes it, as epoch nanoseconds.
 * Date.parse keeps only milliseconds, and Windows CPU % divides by this interval.
 * Null for Go's zero time or anything unparsable.
 */
export function parseEngineTimeNs(text: string | null): number | null {
  if (text === null) return null;
  const match = RFC3339.exec(text);
  if (match === null) return null;
  const [, seconds, fraction = '', zone] = match;
  if (Number(seconds?.slice(0, 4)) <= GO_ZERO_YEAR) return null;
  const ms = Date.parse(`${seconds}${zone}`);
  if (!Number.isFinite(ms)) return null;
  return ms * 1e6 + Number(fraction.padEnd(9, '0'));
}
