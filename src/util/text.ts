/** An environment variable's value, trimmed; undefined when unset or blank, as the docker CLI reads it. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** What went wrong, from anything a promise may reject with or a call may throw. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
