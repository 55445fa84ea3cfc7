import { readFileSync } from 'node:fs';

export function fixture(name: string): Record<string, unknown> {
  const url = new URL(`../fixtures/docker-stats/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
}
