import type { Role } from '../model.ts';

/** Vector stores Dify's compose file can start; which one runs depends on VECTOR_STORE. */
const VECTOR_STORES = new Set([
  'weaviate',
  'qdrant',
  'pgvector',
  'pgvecto-rs',
  'chroma',
  'milvus-standalone',
  'etcd',
  'minio',
  'opensearch',
  'opensearch-dashboards',
  'elasticsearch',
  'kibana',
  'couchbase-server',
  'myscale',
  'oceanbase',
  'oracle',
  'opengauss',
  'matrixone',
  'vastbase',
  'tidb',
  'iris',
]);

const DIFY_IMAGE = /(^|\/)langgenius\/dify-([a-z-]+)(:|@|$)/;

/** `langgenius/dify-api:1.10.1` → `api`; anything else → null. Registry prefixes are allowed. */
export function difyImageComponent(image: string): string | null {
  return DIFY_IMAGE.exec(image)?.[2] ?? null;
}

export function isDifyImage(image: string): boolean {
  return difyImageComponent(image) !== null;
}

/**
 * The api image runs as api, worker or beat depending on MODE, so the image alone
 * does not say which; the compose service usually does, MODE settles it.
 */
function roleFromApiMode(env: Readonly<Record<string, string>>): Role | null {
  switch (env['MODE']) {
    case 'worker':
      return 'worker';
    case 'beat':
      return 'worker_beat';
    case 'api':
      return 'api';
    default:
      return null;
  }
}

/** Normalises the compose service names of every Dify layout (≤ 0.15 used `db`, 1.10 uses `db_postgres`). */
export function roleFromService(service: string): Role | null {
  const name = service.toLowerCase();
  if (name === 'api') return 'api';
  if (name === 'worker') return 'worker';
  if (name === 'worker_beat' || name === 'beat') return 'worker_beat';
  if (name === 'web') return 'web';
  if (name === 'db' || name.startsWith('db_') || name === 'postgres' || name === 'mysql') return 'db';
  if (name === 'redis') return 'redis';
  if (name === 'sandbox') return 'sandbox';
  if (name === 'plugin_daemon') return 'plugin_daemon';
  if (name === 'ssrf_proxy') return 'ssrf_proxy';
  if (name === 'nginx') return 'nginx';
  if (name === 'init_permissions') return 'init';
  if (name === 'certbot') return 'certbot';
  if (VECTOR_STORES.has(name)) return 'vector_store';
  return null;
}

function roleFromImage(image: string): Role | null {
  switch (difyImageComponent(image)) {
    case 'api':
      return 'api';
    case 'web':
      return 'web';
    case 'sandbox':
      return 'sandbox';
    case 'plugin-daemon':
      return 'plugin_daemon';
    default:
      return null;
  }
}

/** The role of a container known to belong to a Dify stack. */
export function difyRole(input: {
  service: string | null;
  image: string;
  env: Readonly<Record<string, string>>;
}): Role {
  const byService = input.service === null ? null : roleFromService(input.service);
  const byImage = roleFromImage(input.image);
  if (byImage === 'api' || (byImage === null && byService === 'api')) {
    return roleFromApiMode(input.env) ?? byService ?? 'api';
  }
  return byService ?? byImage ?? 'service';
}
