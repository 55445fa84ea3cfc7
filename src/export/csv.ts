/**
 * An export as CSV (RFC 4180: comma separated, CRLF rows, double quotes doubled), one row per
 * point with the container's identity repeated, so a spreadsheet can filter and pivot it, and
 * the parser that reads it back. Ours, not a library: the format is fixed and small, and the
 * round trip (parse(toCsv(x)) equals x) is what the tests hold it to.
 *
 * A text cell that a spreadsheet would run as a formula (starting with = + - @, a tab or CR) is
 * written with a leading apostrophe, as OWASP advises; so is one that already starts with an
 * apostrophe, which is how the parser can take exactly one away again.
 */
import { HISTORY_METRICS } from '../api.ts';
import { ROLES, type Role } from '../model.ts';
import { RESOLUTIONS, type ExportContainer, type ExportPoint, type Resolution } from './history.ts';

const IDENTITY = ['host', 'stack', 'service', 'role', 'name', 'key', 'image'] as const;
const VALUE_COLUMNS = HISTORY_METRICS.flatMap((m) => [m, `${m}Min`, `${m}Max`]);
const CSV_COLUMNS = ['time', 'ts', ...IDENTITY, 'resolution', ...VALUE_COLUMNS] as const;

const FORMULA_START = /^[=+\-@\t\r']/;

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

function textCell(value: string | null): string {
  if (value === null) return '';
  return quote(FORMULA_START.test(value) ? `'${value}` : value);
}

function numberCell(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
}

export function toCsv(containers: readonly ExportContainer[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const c of containers) {
    const identity = IDENTITY.map((field) => textCell(c[field]));
    for (const p of c.points) {
      const values = HISTORY_METRICS.flatMap((m) =>
        c.resolution === 'raw'
          ? [numberCell(p[m]), '', '']
          : [numberCell(p[m]), numberCell(p[`${m}Min`]), numberCell(p[`${m}Max`])],
      );
      lines.push(
        [new Date(p.ts).toISOString(), String(p.ts), ...identity, c.resolution, ...values].join(','),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

export class CsvError extends Error {}

/** RFC 4180 records; quoted cells may hold commas, quotes and line breaks. */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === '') {
      quoted = true;
    } else if (ch === ',') {
      record.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      line++;
    } else if (ch === '"') {
      throw new CsvError(`line ${line}: a quote inside an unquoted cell`);
    } else {
      cell += ch;
    }
  }
  if (quoted) throw new CsvError(`line ${line}: a quoted cell is not closed`);
  if (cell !== '' || record.length > 0) {
    record.push(cell);
    records.push(record);
  }
  return records;
}

function readText(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

function readNumber(cell: string, where: string): number | null {
  if (cell === '') return null;
  const value = Number(cell);
  if (!Number.isFinite(value)) throw new CsvError(`${where}: "${cell}" is not a number`);
  return value;
}

/** Reads an export written by `toCsv` back into its containers, in the order they appear. */
export function parseCsv(text: string): ExportContainer[] {
  const [header, ...rows] = parseCsvRecords(text);
  if (header === undefined || header.join(',') !== CSV_COLUMNS.join(',')) {
    throw new CsvError(`not a Dify Monitor export: the first line must be ${CSV_COLUMNS.join(',')}`);
  }
  const containers: { meta: Omit<ExportContainer, 'points'>; points: ExportPoint[] }[] = [];
  rows.forEach((row, i) => {
    const where = `row ${i + 2}`;
    if (row.length !== CSV_COLUMNS.length) {
      throw new CsvError(`${where}: ${row.length} cells, expected ${CSV_COLUMNS.length}`);
    }
    const cell = (column: (typeof CSV_COLUMNS)[number]): string => row[CSV_COLUMNS.indexOf(column)] as string;
    const ts = readNumber(cell('ts'), where);
    if (ts === null) throw new CsvError(`${where}: ts is empty`);
    const role = readText(cell('role'));
    if (!(ROLES as readonly string[]).includes(role)) throw new CsvError(`${where}: unknown role "${role}"`);
    const resolution = cell('resolution') as Resolution;
    if (!RESOLUTIONS.includes(resolution)) throw new CsvError(`${where}: unknown resolution "${resolution}"`);
    const orNull = (text: string): string | null => (text === '' ? null : readText(text));
    const meta = {
      key: readText(cell('key')),
      host: readText(cell('host')),
      stack: orNull(cell('stack')),
      service: orNull(cell('service')),
      role: role as Role,
      name: readText(cell('name')),
      image: readText(cell('image')),
      resolution,
    };
    const point: Record<string, number | null> = { ts };
    for (const m of HISTORY_METRICS) {
      point[m] = readNumber(cell(m), where);
      if (resolution !== 'raw') {
        point[`${m}Min`] = readNumber(cell(`${m}Min`), where);
        point[`${m}Max`] = readNumber(cell(`${m}Max`), where);
      }
    }
    let last = containers.at(-1);
    if (last === undefined || last.meta.key !== meta.key) {
      last = { meta, points: [] };
      containers.push(last);
    }
    last.points.push(point as ExportPoint);
  });
  return containers.map(({ meta, points }) => ({ ...meta, points }));
}
