const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** Go's `%.<n>g`: n significant digits, no trailing zeros. */
function significant(value: number, digits: number): string {
  return String(Number(value.toPrecision(digits)));
}

function scaled(bytes: number, base: number, units: readonly string[], digits: number): string {
  if (!Number.isFinite(bytes)) return '--';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  return `${bytes < 0 ? '-' : ''}${significant(value, digits)}${units[unit]}`;
}

/** Memory as `docker stats` prints it (go-units BytesSize): 1024-based, 4 significant digits. */
export function binarySize(bytes: number): string {
  return scaled(bytes, 1024, BINARY_UNITS, 4);
}

/** Network and block I/O as `docker stats` prints them (go-units HumanSizeWithPrecision 3): 1000-based. */
export function decimalSize(bytes: number): string {
  return scaled(bytes, 1000, DECIMAL_UNITS, 3);
}
