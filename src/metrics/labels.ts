/**
 * The labels every container series carries. cAdvisor's `name` and `image` keep existing
 * dashboards and rules working; `host`, `stack`, `role`, `service` and `dify_version` are what a
 * Dify operator groups by.
 */
import { difyImageComponent } from '../dify/roles.ts';
import type { Sample } from '../model.ts';

export const CONTAINER_LABELS = [
  'host',
  'stack',
  'role',
  'service',
  'name',
  'image',
  'dify_version',
] as const;
export type ContainerLabel = (typeof CONTAINER_LABELS)[number];
export type ContainerLabels = Record<ContainerLabel, string>;

/** The images whose tag is the Dify release; sandbox and plugin daemon are versioned on their own. */
const RELEASE_COMPONENTS = ['api', 'web'];

/** `langgenius/dify-api:1.10.1` → `1.10.1`; a digest or no tag says nothing. */
function tagOf(image: string): string | null {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon <= slash || image.includes('@')) return null;
  return image.slice(colon + 1);
}

/** The Dify release each stack (host/stack) runs, from its api (else web) image tag. */
export function difyVersions(samples: readonly Sample[]): Map<string, string> {
  const found = new Map<string, { rank: number; version: string }>();
  for (const s of samples) {
    if (s.stack === null) continue;
    const rank = RELEASE_COMPONENTS.indexOf(difyImageComponent(s.image) ?? '');
    const version = tagOf(s.image);
    if (rank < 0 || version === null) continue;
    const key = `${s.host}/${s.stack}`;
    const seen = found.get(key);
    if (seen === undefined || rank < seen.rank) found.set(key, { rank, version });
  }
  return new Map([...found].map(([key, { version }]) => [key, version]));
}

/** A null stack or service is an empty label, which Prometheus reads as no label. */
export function containerLabels(sample: Sample, versions: ReadonlyMap<string, string>): ContainerLabels {
  return {
    host: sample.host,
    stack: sample.stack ?? '',
    role: sample.role,
    service: sample.service ?? '',
    name: sample.name,
    image: sample.image,
    dify_version: sample.stack === null ? '' : (versions.get(`${sample.host}/${sample.stack}`) ?? ''),
  };
}
