/** `dify-monitor export`: a running serve's history for a window, as CSV or JSON, to stdout or a file. */
import { writeFileAtomic } from '../util/atomic-write.ts';
import { collectExport, type Selection } from './collect.ts';
import { toCsv } from './csv.ts';
import { createHttpApi, serveAddress } from './http-api.ts';
import { toJson } from './json.ts';

export interface ExportOptions {
  readonly sinceMs: number;
  readonly format: 'csv' | 'json';
  readonly container?: string;
  readonly stack?: string;
  readonly url: string;
  readonly token?: string;
  readonly output?: string;
}

export interface ExportIo {
  write(text: string): void;
  error(text: string): void;
}

function selectionOf(options: ExportOptions): Selection | string {
  if (options.container !== undefined && options.stack !== undefined) {
    return 'use --container or --stack, not both';
  }
  if (options.container !== undefined) return { container: options.container };
  if (options.stack !== undefined) return { stack: options.stack };
  return { all: true };
}

/** Returns the exit code: 0 written, 1 bad input or no such container, 2 no serve answered. */
export async function runExport(options: ExportOptions, io: ExportIo): Promise<number> {
  const selection = selectionOf(options);
  if (typeof selection === 'string') {
    io.error(`${selection}\n`);
    return 1;
  }
  let api;
  try {
    api = createHttpApi(serveAddress(options.url, options.token));
  } catch (error) {
    io.error(`${(error as Error).message}\n`);
    return 1;
  }
  let text: string;
  try {
    const value = await collectExport(api, selection, options.sinceMs);
    text = options.format === 'csv' ? toCsv(value.containers) : toJson(value);
  } catch (error) {
    io.error(`${(error as Error).message}\n`);
    return /no dify-monitor serve answered/.test((error as Error).message) ? 2 : 1;
  }
  if (options.output === undefined) {
    io.write(text);
    return 0;
  }
  // An export cut short never replaces a good file with half of one; the umask decides who reads it.
  try {
    writeFileAtomic(options.output, text, 0o666);
  } catch (error) {
    io.error(`cannot write ${options.output}: ${(error as Error).message}\n`);
    return 1;
  }
  return 0;
}
