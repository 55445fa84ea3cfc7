/**
 * Stats JSON comes from engines we do not control (old Docker, Podman, Windows, a broken proxy),
 * so every field is read defensively: a missing, null, negative or non-numeric value is null.
 */

export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(value: unknown, key: string): JsonObject | null {
  if (!isObject(value)) return null;
  const child = value[key];
  return isObject(child) ? child : null;
}

export function counterAt(value: unknown, key: string): number | null {
  if (!isObject(value)) return null;
  const n = value[key];
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null;
}

export function arrayAt(value: unknown, key: string): readonly unknown[] | null {
  if (!isObject(value)) return null;
  const child = value[key];
  return Array.isArray(child) ? child : null;
}

export function stringAt(value: unknown, key: string): string | null {
  if (!isObject(value)) return null;
  const s = value[key];
  return typeof s === 'string' ? s : null;
}
