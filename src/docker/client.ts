import Modem from 'docker-modem';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { inspect } from 'node:util';
import type { DockerodeOptions } from './dockerode-options.ts';
import type { Readable } from 'node:stream';
import { createLineSplitter } from '../util/lines.ts';
import { readBoundedBody } from '../util/read-body.ts';
import { EVENT_FILTERS } from './events.ts';
import { createSshAgent, type SshAgent } from './ssh.ts';

/** What the collector needs from an engine; everything goes through dockerode's transport. */
export interface EngineClient {
  describe(signal: AbortSignal): Promise<EngineInfo>;
  ping(signal: AbortSignal): Promise<void>;
  listContainerIds(signal: AbortSignal): Promise<string[]>;
  inspect(id: string, signal: AbortSignal): Promise<unknown>;
  statsOnce(id: string, signal: AbortSignal): Promise<unknown>;
  /** The engine runs `ps <psArgs>` for the container's processes: `{ Titles, Processes }`. */
  top(id: string, psArgs: string, signal: AbortSignal): Promise<unknown>;
  /** Newline-delimited JSON stream; each line goes to onLine, bounded in length. */
  statsStream(id: string, handlers: StreamHandlers): Subscription;
  /** Live container events from the moment the engine has answered `opened`; no replay of older ones. */
  events(handlers: StreamHandlers): Subscription;
  /**
   * A container's log from `sinceSeconds` on, followed, with the engine's timestamp on each line:
   * raw bytes (multiplexed in 8-byte frames unless the container has a TTY), unbounded in length,
   * for the caller to split as it can afford.
   */
  logs(id: string, sinceSeconds: number, handlers: ChunkHandlers): Subscription;
  /** Drops pooled connections (SSH sessions included), so a one-off command can exit. */
  close(): void;
}

export interface EngineInfo {
  readonly version: string;
  readonly apiVersion: string;
  readonly os: string;
  readonly operatingSystem: string;
  readonly memTotalBytes: number;
  readonly cpus: number;
  readonly name: string;
  readonly cgroupVersion: string | null;
  /** `Podman` when Podman's Docker-compatible API answers (its version is Podman's own); else `Docker`. */
  readonly product?: string;
}

export interface StreamHandlers {
  onLine(line: string): void;
  /** The stream ended or failed; `error` is null on a clean end. */
  onEnd(error: Error | null): void;
}

export interface ChunkHandlers {
  onData(chunk: Buffer): void;
  /** The stream ended or failed; `error` is null on a clean end. */
  onEnd(error: Error | null): void;
}

export interface Subscription {
  /** Settles once the engine has answered: from then on nothing it does is missed. */
  readonly opened: Promise<void>;
  close(): void;
}

/**
 * A pooled connection unused this long is closed: a burst (a hundred containers removed at once,
 * each inspected) leaves no sockets behind, and a 5 s tray round still reuses its own.
 */
export const IDLE_SOCKET_MS = 30_000;

/**
 * Tray-mode polls ask every container once per interval; reusing connections spares the engine an
 * accept and a goroutine per request. Streams hold their own sockets, so there is no socket cap.
 */
function keepAliveAgent(options: DockerodeOptions, idleSocketMs: number): HttpAgent {
  // `timeout` on a keep-alive agent closes a free socket after that long idle; a socket in use
  // (an event or stats stream) only gets a 'timeout' event, which nothing here acts on.
  const settings = { keepAlive: true, maxFreeSockets: 16, timeout: idleSocketMs };
  return options.protocol === 'https' ? new HttpsAgent(settings) : new HttpAgent(settings);
}

/**
 * docker-modem runs util.inspect over every request's options, agent included, for a debug line
 * nobody reads. An agent holding pooled sockets is a deep object: that inspect cost more than the
 * request itself. A custom inspect makes it a constant.
 */
function cheapToInspect(agent: HttpAgent): void {
  Object.defineProperty(agent, inspect.custom, { value: () => `[${agent.constructor.name}]` });
}

/** A stats line is a few KiB; anything near this is a broken or hostile engine. */
const MAX_LINE_BYTES = 1 << 20;
/** The largest answer is the container list: about 2 KiB a container, so this holds thousands. */
const MAX_BODY_BYTES = 16 << 20;
/** An engine's error answer is one JSON message; anything longer is not read to the end. */
const MAX_ERROR_BYTES = 64 << 10;
const ANY_STATUS: Record<number, true> = Object.fromEntries(
  Array.from({ length: 500 }, (_, i) => [100 + i, true]),
);

type DialOptions = {
  path: string;
  method: 'GET';
  statusCodes: Record<number, boolean | string>;
  options?: Record<string, unknown>;
  isStream?: boolean;
  abortSignal?: AbortSignal;
};

function errorOf(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function numberField(json: Record<string, unknown>, key: string): number {
  const value = json[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function stringField(json: Record<string, unknown>, key: string): string {
  const value = json[key];
  return typeof value === 'string' ? value : '';
}

/**
 * Speaks to the engine through docker-modem, dockerode's own transport, without dockerode's
 * API classes: those load gRPC and protobuf for BuildKit sessions, about 11 MiB of RSS that a
 * tray process watching stats never uses.
 */
export function createEngineClient(
  options: DockerodeOptions,
  tuning: { readonly idleSocketMs?: number } = {},
): EngineClient {
  const ssh = options.protocol === 'ssh' ? sshAgentFor(options) : null;
  const agent = ssh ?? options.agent ?? keepAliveAgent(options, tuning.idleSocketMs ?? IDLE_SOCKET_MS);
  cheapToInspect(agent);
  // Over ssh the agent's sockets are already the engine's; docker-modem speaks plain http on them.
  const modem = new Modem({
    ...options,
    ...(ssh === null ? {} : { protocol: 'http' }),
    agent,
  } as Modem.ConstructorOptions);

  const rawDial = (opts: DialOptions): Promise<unknown> =>
    new Promise((resolve, reject) => {
      modem.dial(opts as Modem.DialOptions, (err: unknown, data: unknown) =>
        err ? reject(errorOf(err)) : resolve(data),
      );
    });

  // docker-modem buffers a whole answer, and a whole error body, without limit: every answer
  // comes to us as a stream instead, read up to MAX_BODY_BYTES (an error up to MAX_ERROR_BYTES),
  // and its status is judged here. A stream the engine accepted is handed on as it is; its lines
  // are bounded by the reader.
  const dial = async (opts: DialOptions): Promise<unknown> => {
    const body = (await rawDial({ ...opts, isStream: true, statusCodes: ANY_STATUS })) as IncomingMessage;
    const status = body.statusCode ?? 0;
    const expected = opts.statusCodes[status];
    if (opts.isStream === true && expected === true) return body;
    const what =
      typeof expected === 'string' ? expected : `unexpected answer to ${opts.path.replace(/\?.*/, '')}`;
    const fail = (cause: string): never => {
      const error = new Error(`(HTTP code ${status}) ${what}${cause === '' ? '' : ` - ${cause}`}`);
      throw Object.assign(error, { statusCode: status });
    };
    let text: string;
    try {
      text = (
        await readBoundedBody(body, expected === true ? MAX_BODY_BYTES : MAX_ERROR_BYTES, opts.abortSignal)
      ).toString('utf8');
    } catch (error) {
      if (expected === true) throw error;
      return fail((error as Error).message);
    }
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON: callers check the shape of what they get, and an error quotes the text.
    }
    if (expected === true) return json;
    const message = (json as { message?: unknown } | null)?.message;
    return fail((typeof message === 'string' ? message : text.slice(0, 200)).trim());
  };

  /** Lines of a stream the engine accepted, each bounded: a longer one ends the stream. */
  const stream = (path: string, query: Record<string, unknown>, handlers: StreamHandlers): Subscription => {
    let ended = false;
    const end = (error: Error | null): void => {
      if (ended) return;
      ended = true;
      handlers.onEnd(error);
    };
    const split = createLineSplitter(
      MAX_LINE_BYTES,
      (line) => {
        if (!ended) handlers.onLine(line);
      },
      (bytes) => {
        end(new Error(`the engine sent a line of more than ${bytes} bytes; a stats line is a few KiB`));
        sub.close();
      },
    );
    const sub = chunks(path, query, { onData: split, onEnd: end });
    return sub;
  };

  const chunks = (path: string, query: Record<string, unknown>, handlers: ChunkHandlers): Subscription => {
    const abort = new AbortController();
    let ended = false;
    const end = (error: Error | null): void => {
      if (ended) return;
      ended = true;
      handlers.onEnd(error);
    };
    const opened = dial({
      path,
      method: 'GET',
      isStream: true,
      abortSignal: abort.signal,
      options: query,
      statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
    }).then(
      (body) => {
        const readable = body as Readable;
        if (abort.signal.aborted) {
          readable.destroy();
          return;
        }
        abort.signal.addEventListener('abort', () => readable.destroy(), { once: true });
        readable.on('data', (chunk: Buffer) => {
          if (!ended) handlers.onData(chunk);
        });
        readable.on('error', (error) => end(error));
        readable.on('end', () => end(null));
        readable.on('close', () => end(null));
      },
      (error: unknown) => end(errorOf(error)),
    );
    return {
      opened: opened.then(
        () => undefined,
        () => undefined,
      ),
      close() {
        ended = true;
        abort.abort();
      },
    };
  };

  return {
    async describe(signal) {
      const [version, info] = (await Promise.all([
        dial({
          path: '/version',
          method: 'GET',
          abortSignal: signal,
          statusCodes: { 200: true, 500: 'server error' },
        }),
        dial({
          path: '/info',
          method: 'GET',
          abortSignal: signal,
          statusCodes: { 200: true, 500: 'server error' },
        }),
      ])) as [Record<string, unknown>, Record<string, unknown>];
      const cgroupVersion = stringField(info, 'CgroupVersion');
      return {
        version: stringField(version, 'Version'),
        apiVersion: stringField(version, 'ApiVersion'),
        os: stringField(info, 'OSType') || stringField(version, 'Os'),
        operatingSystem: stringField(info, 'OperatingSystem'),
        memTotalBytes: numberField(info, 'MemTotal'),
        cpus: numberField(info, 'NCPU'),
        name: stringField(info, 'Name'),
        cgroupVersion: cgroupVersion === '' ? null : cgroupVersion,
        product: productOf(version),
      };
    },
    async ping(signal) {
      await dial({
        path: '/_ping',
        method: 'GET',
        abortSignal: signal,
        statusCodes: { 200: true, 500: 'server error' },
      });
    },
    async listContainerIds(signal) {
      const list = await dial({
        path: '/containers/json?',
        method: 'GET',
        abortSignal: signal,
        options: { all: true },
        statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
      });
      if (!Array.isArray(list))
        throw new Error('the engine answered /containers/json with something other than a list');
      return list.flatMap((c: unknown) => {
        const id = (c as Record<string, unknown> | null)?.['Id'];
        return typeof id === 'string' ? [id] : [];
      });
    },
    inspect(id, signal) {
      return dial({
        path: `/containers/${encodeURIComponent(id)}/json`,
        method: 'GET',
        abortSignal: signal,
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
      });
    },
    statsOnce(id, signal) {
      return dial({
        path: `/containers/${encodeURIComponent(id)}/stats?`,
        method: 'GET',
        abortSignal: signal,
        options: { stream: false, 'one-shot': true },
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
      });
    },
    top(id, psArgs, signal) {
      return dial({
        path: `/containers/${encodeURIComponent(id)}/top?`,
        method: 'GET',
        abortSignal: signal,
        options: { ps_args: psArgs },
        statusCodes: {
          200: true,
          404: 'no such container',
          409: 'container is not running',
          500: 'server error',
        },
      });
    },
    statsStream(id, handlers) {
      return stream(`/containers/${encodeURIComponent(id)}/stats?`, { stream: true }, handlers);
    },
    events(handlers) {
      return stream('/events?', { filters: JSON.stringify(EVENT_FILTERS) }, handlers);
    },
    logs(id, sinceSeconds, handlers) {
      const query = {
        follow: true,
        stdout: true,
        stderr: true,
        timestamps: true,
        since: sinceSeconds.toFixed(3),
      };
      return chunks(`/containers/${encodeURIComponent(id)}/logs?`, query, handlers);
    },
    close() {
      if (ssh === null) agent.destroy();
      else ssh.closeAll();
    },
  };
}

function productOf(version: Record<string, unknown>): string {
  const components = Array.isArray(version['Components']) ? (version['Components'] as unknown[]) : [];
  const podman = components.some((c) =>
    /podman/i.test(String((c as Record<string, unknown> | null)?.['Name'])),
  );
  return podman ? 'Podman' : 'Docker';
}

function sshAgentFor(options: DockerodeOptions): SshAgent {
  const agentSocket = options.sshOptions?.agent;
  return createSshAgent(
    {
      host: options.host ?? 'localhost',
      port: Number(options.port ?? 22),
      username: options.username,
      agentSocket: typeof agentSocket === 'string' ? agentSocket : undefined,
      identityFile: options.ssh?.identityFile,
      knownHostsFiles: options.ssh?.knownHostsFiles ?? [],
      readyTimeoutMs: 10_000,
    },
    {
      readFile: (file) => {
        try {
          return readFileSync(file);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
          throw error;
        }
      },
    },
  );
}
