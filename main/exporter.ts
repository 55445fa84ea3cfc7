/**
 * The desktop app's opt-in Prometheus exporter: started, moved or stopped to follow the
 * `exporter` setting. Off loopback it needs a token; Prometheus reads it from a file
 * (`credentials_file`), so it is kept as one, owner-only, beside the settings.
 */
import type { MetricsServer, MetricsServerOptions } from '../src/metrics/http.ts';
import { isLoopback } from '../src/auth/loopback.ts';
import type { TokenFileResult } from '../src/auth/token-file.ts';
import { DEFAULT_EXPORTER, type ExporterSetting, type Settings } from '../src/settings/schema.ts';

export interface ExporterDeps {
  readonly start: (options: MetricsServerOptions) => Promise<MetricsServer>;
  readonly read: MetricsServerOptions['read'];
  /** The off-loopback token: read back, or made on first use. */
  readonly token: () => TokenFileResult;
  /** Where the token is, for the message that tells the user. */
  readonly tokenPath: string;
  readonly tell: (text: string) => void;
  readonly warn: (text: string) => void;
}

export interface ExporterControl {
  /** Brings the exporter in line with the settings; settings changes call it again. */
  apply(settings: Settings): Promise<void>;
  stop(): Promise<void>;
  readonly url: () => string | null;
}

function same(a: ExporterSetting | null, b: ExporterSetting): boolean {
  return a !== null && a.enabled === b.enabled && a.bind === b.bind && a.port === b.port;
}

export function createExporterControl(deps: ExporterDeps): ExporterControl {
  let applied: ExporterSetting | null = null;
  let running: MetricsServer | null = null;
  // Settings can change again while a server is still starting; each change waits its turn.
  let queue: Promise<void> = Promise.resolve();

  const stopRunning = async (): Promise<void> => {
    const server = running;
    running = null;
    await server?.close();
  };

  const bringInLine = async (wanted: ExporterSetting): Promise<void> => {
    if (same(applied, wanted)) return;
    applied = wanted;
    await stopRunning();
    if (!wanted.enabled) return;
    let token: string | null = null;
    if (!isLoopback(wanted.bind)) {
      const read = deps.token();
      if (!read.ok) {
        deps.tell(`The Prometheus exporter is off: ${read.error}`);
        return;
      }
      token = read.token;
      if (read.created) deps.tell(`The Prometheus exporter's token is in ${deps.tokenPath}.`);
    }
    try {
      running = await deps.start({ read: deps.read, bind: wanted.bind, port: wanted.port, token });
      deps.warn(`Prometheus metrics at ${running.url}`);
    } catch (error) {
      deps.tell(
        `The Prometheus exporter could not listen on ${wanted.bind}:${wanted.port}: ${(error as Error).message}`,
      );
    }
  };

  return {
    apply(settings) {
      queue = queue.then(() => bringInLine(settings.exporter ?? DEFAULT_EXPORTER));
      return queue;
    },
    stop() {
      applied = null;
      queue = queue.then(stopRunning);
      return queue;
    },
    url: () => running?.url ?? null,
  };
}
