import type { ServerResponse } from 'node:http';
import { EVENT_CHANNELS, type EventChannel } from '../api.ts';
import type { MonitorService } from '../service/monitor.ts';

/** A client this far behind is not reading; it is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const KEEPALIVE_MS = 15_000;

/**
 * Streams every event channel to one browser as Server-Sent Events (`event: <channel>`, JSON
 * data). While the stream is open the browser counts as a viewer, so collection runs fast.
 */
export function streamEvents(
  service: MonitorService,
  res: ServerResponse,
  headers: Record<string, string>,
): void {
  res.writeHead(200, {
    ...headers,
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  const releaseViewer = service.addViewer();
  const send = (channel: EventChannel, payload: unknown): void => {
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      res.destroy();
      return;
    }
    res.write(`event: ${channel}\ndata: ${JSON.stringify(payload)}\n\n`);
  };
  const unsubscribers = EVENT_CHANNELS.map((channel) =>
    service.on(channel, (payload) => send(channel, payload)),
  );
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  res.on('close', () => {
    clearInterval(keepalive);
    for (const unsubscribe of unsubscribers) unsubscribe();
    releaseViewer();
  });
}
