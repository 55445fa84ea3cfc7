/**
 * One container's processes, once: what `dify-monitor top` prints. From /proc when this process
 * can see the engine's containers (a local Linux engine), else through the engine's top
 * endpoint, as the collector would choose.
 */
import { createEngineClient } from '../docker/client.ts';
import { fromInspect } from '../docker/inspect.ts';
import { discover, historyKey } from '../dify/discovery.ts';
import type { ProcessTable } from '../model.ts';
import { cgroupUnavailableReason } from './cgroup-source.ts';
import { dialOptionsFor, type HostTarget, type SourceChoice } from './connect.ts';
import { createProcReader } from './proc-reader.ts';
import { ProcessHistory } from './process-history.ts';
import type { ProcessReader } from './process-reading.ts';
import { createTopReader } from './top-reader.ts';

export interface ContainerProcessesOptions {
  readonly source: SourceChoice;
  readonly timeoutMs: number;
  /** Read a second time after this long, so that each process has an RSS trend; 0 reads once. */
  readonly trendMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export type ContainerProcessesResult =
  | { readonly ok: true; readonly table: ProcessTable; readonly how: string }
  | { readonly ok: false; readonly error: string };

export async function readContainerProcesses(
  target: HostTarget,
  container: string,
  options: ContainerProcessesOptions,
): Promise<ContainerProcessesResult> {
  const dial = await dialOptionsFor(target);
  if (!dial.ok) return dial;
  const client = createEngineClient(dial.options);
  try {
    const signal = (): AbortSignal => AbortSignal.timeout(options.timeoutMs);
    const engine = await client.describe(signal());
    const inspected = fromInspect(await client.inspect(container, signal()).catch(() => null));
    if (inspected === null)
      return { ok: false, error: `No container named ${container} on ${dial.endpoint.url}.` };
    const meta = discover([inspected]).containers[0];
    if (meta === undefined || meta.state !== 'running' || meta.pid <= 0)
      return {
        ok: false,
        error: `${inspected.name} is ${inspected.state}: a container that is not running has no processes.`,
      };
    const unavailable =
      options.source === 'api' ? 'asked for the API' : cgroupUnavailableReason(dial.endpoint, engine, [meta]);
    const reader: ProcessReader =
      unavailable === null
        ? createProcReader()
        : createTopReader({ client, requestTimeoutMs: options.timeoutMs });
    const history = new ProcessHistory();
    const read = async (): Promise<ProcessTable | null> => {
      const processes = (await reader.read([meta])).get(meta.id);
      if (processes === undefined) return null;
      const ts = options.now();
      const view = history.update(meta.id, processes, ts);
      return {
        host: 'local',
        key: historyKey('local', meta),
        id: meta.id,
        name: meta.name,
        ts,
        source: reader.kind,
        ...view,
      };
    };
    let table = await read();
    if (table !== null && options.trendMs > 0) {
      await options.sleep(options.trendMs);
      table = await read();
    }
    reader.close();
    if (table === null) return { ok: false, error: `The processes of ${meta.name} could not be read.` };
    const how =
      reader.kind === 'proc'
        ? "from the container's cgroup and /proc on this machine"
        : `from the engine's top endpoint (${unavailable})`;
    return { ok: true, table, how };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    client.close();
  }
}
