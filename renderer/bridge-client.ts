/**
 * `DifyMonitorApi` over the web bridge: invokes are `POST /api/<channel>`, events arrive on one
 * EventSource. The page uses it exactly as it uses the Electron preload.
 */
import { EVENT_CHANNELS, type DifyMonitorApi, type EventChannel, type EventChannels } from '../src/api.ts';
import { Emitter } from '../src/util/emitter.ts';

/** An event bigger than this is not something the server sends; it is dropped unread. */
const MAX_EVENT_CHARS = 4 * 1024 * 1024;

export function createBridgeClient(base = ''): DifyMonitorApi {
  // Payloads are checked by the page's subscriber (renderer/validate.ts), not here.
  const events = new Emitter<EventChannels>();
  let source: EventSource | null = null;

  const dispatch = (channel: EventChannel, data: unknown): void => {
    if (typeof data !== 'string' || data.length > MAX_EVENT_CHARS) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    events.emit(channel, payload as never);
  };

  const connect = (): void => {
    if (source !== null) return;
    source = new EventSource(`${base}/api/events`);
    for (const channel of EVENT_CHANNELS) {
      source.addEventListener(channel, (event) => dispatch(channel, (event as MessageEvent).data));
    }
  };

  return {
    async invoke(channel, request) {
      const res = await fetch(`${base}/api/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request ?? null),
        credentials: 'same-origin',
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`${channel}: the server answered ${res.status} with something that is not JSON`);
      }
      if (!res.ok) {
        const message =
          typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string'
            ? (body as { error: string }).error
            : `HTTP ${res.status}`;
        throw new Error(message);
      }
      return body as never;
    },
    on<C extends EventChannel>(channel: C, listener: (payload: EventChannels[C]) => void) {
      connect();
      return events.on(channel, listener);
    },
  };
}
