/**
 * An export as JSON: the HistoryExport value itself, with the window's ends also written as ISO
 * times for a reader without a timestamp converter. `parseJson` checks the shape before trusting it.
 */
import { HISTORY_METRICS } from '../api.ts';
import { ROLES, type Role } from '../model.ts';
import {
  RESOLUTIONS,
  type ExportContainer,
  type ExportPoint,
  type HistoryExport,
  type Resolution,
} from './history.ts';

const EXPORT_FORMAT = 'dify-monitor.history/1';

export function toJson(value: HistoryExport): string {
  const document = {
    format: EXPORT_FORMAT,
    fromTime: new Date(value.from).toISOString(),
    toTime: new Date(value.to).toISOString(),
    ...value,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

class JsonExportError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOrNull(value: unknown, where: string): number | null {
  if (value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new JsonExportError(`${where} must be a number or null`);
}

function text(value: unknown, where: string, nullable = false): string | null {
  if (typeof value === 'string') return value;
  if (nullable && value === null) return null;
  throw new JsonExportError(`${where} must be ${nullable ? 'text or null' : 'text'}`);
}

function point(value: unknown, resolution: Resolution, where: string): ExportPoint {
  if (!isRecord(value)) throw new JsonExportError(`${where} must be an object`);
  const ts = numberOrNull(value['ts'], `${where}.ts`);
  if (ts === null) throw new JsonExportError(`${where}.ts must be a number`);
  const out: Record<string, number | null> = { ts };
  for (const m of HISTORY_METRICS) {
    out[m] = numberOrNull(value[m], `${where}.${m}`);
    if (resolution !== 'raw') {
      out[`${m}Min`] = numberOrNull(value[`${m}Min`], `${where}.${m}Min`);
      out[`${m}Max`] = numberOrNull(value[`${m}Max`], `${where}.${m}Max`);
    }
  }
  return out as ExportPoint;
}

function container(value: unknown, where: string): ExportContainer {
  if (!isRecord(value)) throw new JsonExportError(`${where} must be an object`);
  const role = value['role'];
  if (!(ROLES as readonly unknown[]).includes(role)) throw new JsonExportError(`${where}.role is not a role`);
  const resolution = value['resolution'] as Resolution;
  if (!RESOLUTIONS.includes(resolution)) {
    throw new JsonExportError(`${where}.resolution must be raw, 10s or 1m`);
  }
  const points = value['points'];
  if (!Array.isArray(points)) throw new JsonExportError(`${where}.points must be a list`);
  return {
    key: text(value['key'], `${where}.key`) as string,
    host: text(value['host'], `${where}.host`) as string,
    stack: text(value['stack'], `${where}.stack`, true),
    service: text(value['service'], `${where}.service`, true),
    role: role as Role,
    name: text(value['name'], `${where}.name`) as string,
    image: text(value['image'], `${where}.image`) as string,
    resolution,
    points: points.map((p, i) => point(p, resolution, `${where}.points[${i}]`)),
  };
}

/** Reads an export written by `toJson`; anything else gets a message naming the first bad field. */
export function parseJson(textValue: string): HistoryExport {
  let value: unknown;
  try {
    value = JSON.parse(textValue);
  } catch (error) {
    throw new JsonExportError(`not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(value) || value['format'] !== EXPORT_FORMAT) {
    throw new JsonExportError(`not a Dify Monitor export (format must be ${EXPORT_FORMAT})`);
  }
  const to = numberOrNull(value['to'], 'to');
  const from = numberOrNull(value['from'], 'from');
  if (to === null || from === null) throw new JsonExportError('from and to must be numbers');
  const containers = value['containers'];
  if (!Array.isArray(containers)) throw new JsonExportError('containers must be a list');
  return { to, from, containers: containers.map((c, i) => container(c, `containers[${i}]`)) };
}
