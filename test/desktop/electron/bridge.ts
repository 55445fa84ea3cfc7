/**
 * `contextBridge.exposeInMainWorld` into a Chromium page. The page gets, under each key the
 * preload exposed, an object with the same methods; a call crosses to Node through a Playwright
 * binding, functions passed as arguments (listeners) are kept in the page and called back, and
 * functions returned (an unsubscribe) become callable in the page. Calls are asynchronous here,
 * so every method returns a callable thenable: awaited it gives the result, called it calls the
 * function that was returned. (In Electron a call returns synchronously.)
 */
import type { Page } from 'playwright-core';
import type { Exposed } from './ipc.ts';

type Wire = { readonly __fn: number } | { readonly __fnRef: number };
interface BridgeCall {
  readonly op: 'call' | 'callRef';
  readonly key?: string;
  readonly method?: string;
  readonly id?: number;
  readonly args: unknown[];
}

function isWire(value: unknown, field: '__fn' | '__fnRef'): value is Wire {
  return typeof value === 'object' && value !== null && field in value;
}

/** The page side, run before any of the page's scripts on every document. */
function pageSide(methods: Record<string, string[]>): void {
  const w = window as unknown as Record<string, unknown>;
  const call = w['__electronBridge'] as (message: unknown) => Promise<unknown>;
  const callbacks = new Map<number, (...args: unknown[]) => void>();
  let next = 0;
  const toWire = (value: unknown): unknown => {
    if (typeof value !== 'function') return value;
    callbacks.set(++next, value as (...args: unknown[]) => void);
    return { __fn: next };
  };
  const fromWire = (value: unknown): unknown =>
    typeof value === 'object' && value !== null && '__fnRef' in value
      ? (...args: unknown[]) =>
          call({ op: 'callRef', id: (value as { __fnRef: number }).__fnRef, args: args.map(toWire) })
      : value;
  const settle = (answer: Promise<unknown>): unknown => {
    const result = answer.then(fromWire);
    const callable = (...args: unknown[]): Promise<unknown> =>
      result.then((value) =>
        typeof value === 'function' ? (value as (...a: unknown[]) => unknown)(...args) : undefined,
      );
    return Object.assign(callable, {
      then: result.then.bind(result),
      catch: result.catch.bind(result),
    });
  };
  Object.defineProperty(window, '__electronBridgeCallback', {
    value: (id: number, args: unknown[]) => callbacks.get(id)?.(...args),
  });
  for (const [key, names] of Object.entries(methods)) {
    const api: Record<string, unknown> = {};
    for (const name of names) {
      api[name] = (...args: unknown[]) =>
        settle(call({ op: 'call', key, method: name, args: args.map(toWire) }));
    }
    Object.defineProperty(window, key, { value: Object.freeze(api), enumerable: true });
  }
}

/** Wires a page to what the preload of its current document exposed. */
export async function bridgePage(page: Page, exposed: () => Exposed): Promise<void> {
  const refs = new Map<number, (...args: unknown[]) => unknown>();
  let nextRef = 0;
  const fromPage = (value: unknown): unknown => {
    if (!isWire(value, '__fn')) return value;
    const id = (value as { __fn: number }).__fn;
    return (...args: unknown[]) =>
      void page
        .evaluate(
          ([i, a]) =>
            (
              window as unknown as { __electronBridgeCallback(i: number, a: unknown[]): void }
            ).__electronBridgeCallback(i, a),
          [id, structuredClone(args)] as const,
        )
        .catch(() => undefined);
  };
  const toPage = (value: unknown): unknown => {
    if (typeof value !== 'function') return value;
    refs.set(++nextRef, value as (...args: unknown[]) => unknown);
    return { __fnRef: nextRef };
  };
  await page.exposeBinding('__electronBridge', async (_source, message: BridgeCall) => {
    const args = message.args.map(fromPage);
    if (message.op === 'callRef') return toPage(await refs.get(message.id ?? -1)?.(...args));
    const api = exposed().get(message.key ?? '') as Record<string, (...a: unknown[]) => unknown> | undefined;
    const method = api?.[message.method ?? ''];
    if (api === undefined || method === undefined)
      throw new Error(`${message.key}.${message.method} is not exposed`);
    return toPage(await method.apply(api, args));
  });
  const methods = Object.fromEntries(
    [...exposed()].map(([key, api]) => [
      key,
      Object.keys(api as object).filter(
        (name) => typeof (api as Record<string, unknown>)[name] === 'function',
      ),
    ]),
  );
  await page.addInitScript(pageSide, methods);
}
