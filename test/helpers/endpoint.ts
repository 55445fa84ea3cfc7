import assert from 'node:assert/strict';
import { parseHostUrl, type Endpoint } from '../../src/docker/endpoint.ts';

export function parseEndpointForTest(url: string): Endpoint {
  const parsed = parseHostUrl(url);
  assert.ok(parsed.ok, url);
  return parsed.endpoint;
}
