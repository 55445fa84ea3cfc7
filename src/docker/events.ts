import { CONTAINER_EVENT_ACTIONS, isOneOf, type Health } from '../model.ts';

/** What the collector follows: the actions it passes on, and those that only change its inventory. */
const ENGINE_EVENT_ACTIONS = [
  ...CONTAINER_EVENT_ACTIONS,
  'create',
  'stop',
  'pause',
  'unpause',
  'update',
] as const;
export type EngineEventAction = (typeof ENGINE_EVENT_ACTIONS)[number];

/** The container events the collector reacts to; exec_*, attach and the like are noise for us. */
export interface EngineEvent {
  readonly action: EngineEventAction;
  readonly id: string;
  readonly name: string;
  readonly image: string;
  /** ms since epoch, from the engine's clock. */
  readonly ts: number;
  readonly exitCode: number | null;
  readonly health: Health | null;
  /** rename: the previous name. */
  readonly oldName: string | null;
}

/** The `filters` query that asks the engine only for what `parseEvent` keeps. */
export const EVENT_FILTERS = {
  type: ['container'],
  event: [...ENGINE_EVENT_ACTIONS],
};

/** One line of `GET /events` → an EngineEvent, or null for anything we do not follow (or garbage). */
export function parseEvent(line: string, now: number): EngineEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const event = raw as Record<string, unknown>;
  if ((event['Type'] ?? 'container') !== 'container') return null;
  const fullAction = typeof event['Action'] === 'string' ? event['Action'] : event['status'];
  if (typeof fullAction !== 'string') return null;
  // health_status arrives as "health_status: healthy"
  const [action = '', detail = ''] = fullAction.split(/:\s*/, 2);
  if (!isOneOf(ENGINE_EVENT_ACTIONS, action)) return null;
  const actor = (
    typeof event['Actor'] === 'object' && event['Actor'] !== null ? event['Actor'] : {}
  ) as Record<string, unknown>;
  const attributes = (
    typeof actor['Attributes'] === 'object' && actor['Attributes'] !== null ? actor['Attributes'] : {}
  ) as Record<string, unknown>;
  const id =
    typeof actor['ID'] === 'string' ? actor['ID'] : typeof event['id'] === 'string' ? event['id'] : '';
  if (id === '') return null;
  const timeNano = typeof event['timeNano'] === 'number' ? event['timeNano'] : null;
  const time = typeof event['time'] === 'number' ? event['time'] : null;
  const exit = Number.parseInt(String(attributes['exitCode'] ?? ''), 10);
  const health = action === 'health_status' ? (detail.trim() as Health) : null;
  return {
    action,
    id,
    name: String(attributes['name'] ?? '').replace(/^\//, ''),
    image: String(attributes['image'] ?? event['from'] ?? ''),
    ts: timeNano !== null ? Math.floor(timeNano / 1e6) : time !== null ? time * 1000 : now,
    exitCode: Number.isFinite(exit) ? exit : null,
    health: health === 'healthy' || health === 'unhealthy' || health === 'starting' ? health : null,
    oldName: typeof attributes['oldName'] === 'string' ? attributes['oldName'].replace(/^\//, '') : null,
  };
}
