import type { Role } from '../model.ts';

/**
 * Every service of Dify's docker/docker-compose.yaml (1.16, langgenius/dify@bc2de8b3) and of the
 * layouts before it, by the job its compose entry runs. Where the reason is not the name:
 *
 * - api_websocket: the api image with MODE=api but gevent-websocket workers and 1000 connections
 *   each, behind nginx's /socket.io/: it holds workflow collaboration's sockets, not REST requests,
 *   so it has a role (and a budget) of its own.
 * - local_sandbox (dify-agent-local-sandbox): runs the shell commands an agent writes, cut off from
 *   `api` and let out only through agent_ssrf_proxy: the sandbox's job, for agents.
 * - agent_backend (dify-agent-backend): runs Agent v2 runs, keeps them in redis, calls the plugin
 *   daemon and drives local_sandbox; no other service does that job.
 * - agent_ssrf_proxy: the same Squid image and job as ssrf_proxy, for local_sandbox's egress.
 * - unstructured: parses uploaded documents when ETL_TYPE=Unstructured: ETL, not storage.
 * - etcd, minio (Milvus's metadata and object store), opensearch-dashboards and kibana come up
 *   only with their vector store's profile and belong to it.
 */
const SERVICE_ROLES: Readonly<Record<string, Role>> = {
  init_permissions: 'init',
  api: 'api',
  api_websocket: 'api_websocket',
  worker: 'worker',
  worker_beat: 'worker_beat',
  beat: 'worker_beat',
  web: 'web',
  db: 'db',
  db_postgres: 'db',
  db_mysql: 'db',
  postgres: 'db',
  mysql: 'db',
  redis: 'redis',
  sandbox: 'sandbox',
  local_sandbox: 'sandbox',
  plugin_daemon: 'plugin_daemon',
  agent_backend: 'agent_backend',
  ssrf_proxy: 'ssrf_proxy',
  agent_ssrf_proxy: 'ssrf_proxy',
  certbot: 'certbot',
  nginx: 'nginx',
  unstructured: 'etl',
};

/**
 * The vector stores the compose file can start (one, by VECTOR_STORE and its profile) with their
 * helpers; tidb has a compose file of its own (docker/tidb/) that some merge into the stack.
 */
const VECTOR_STORES = [
  'weaviate',
  'oceanbase',
  'seekdb',
  'qdrant',
  'couchbase-server',
  'pgvector',
  'vastbase',
  'pgvecto-rs',
  'chroma',
  'iris',
  'oracle',
  'etcd',
  'minio',
  'milvus-standalone',
  'opensearch',
  'opensearch-dashboards',
  'opengauss',
  'myscale',
  'matrixone',
  'elasticsearch',
  'kibana',
  'tidb',
] as const;

/** What a Dify image runs, when the service name does not say (a renamed or hand-made service). */
const IMAGE_ROLES: Readonly<Record<string, Role>> = {
  api: 'api',
  web: 'web',
  sandbox: 'sandbox',
  'plugin-daemon': 'plugin_daemon',
  'agent-backend': 'agent_backend',
  'agent-local-sandbox': 'sandbox',
};

const DIFY_IMAGE = /(^|\/)langgenius\/dify-([a-z-]+)(:|@|$)/;

/** gunicorn's worker class of api_websocket: what tells it from the api on the same image and MODE. */
const WEBSOCKET_WORKER = /websocket/i;

/** `langgenius/dify-api:1.10.1` → `api`; anything else → null. Registry prefixes are allowed. */
export function difyImageComponent(image: string): string | null {
  return DIFY_IMAGE.exec(image)?.[2] ?? null;
}

export function isDifyImage(image: string): boolean {
  return difyImageComponent(image) !== null;
}

function lookUp(table: Readonly<Record<string, Role>>, key: string | null): Role | null {
  return key !== null && Object.hasOwn(table, key) ? (table[key] ?? null) : null;
}

/** Normalises the compose service names of every Dify layout (≤ 0.15 used `db`, 1.10 uses `db_postgres`). */
export function roleFromService(service: string): Role | null {
  const name = service.toLowerCase();
  if ((VECTOR_STORES as readonly string[]).includes(name)) return 'vector_store';
  return lookUp(SERVICE_ROLES, name) ?? (name.startsWith('db_') ? 'db' : null);
}

/**
 * The api image runs as api, api_websocket, worker or beat depending on MODE and its worker
 * class, so the image alone does not say which; the compose service usually does, MODE settles it.
 */
function roleFromApiMode(env: Readonly<Record<string, string>>, byService: Role | null): Role | null {
  switch (env['MODE']) {
    case 'worker':
      return 'worker';
    case 'beat':
      return 'worker_beat';
    case 'api':
      return byService === 'api_websocket' || WEBSOCKET_WORKER.test(env['SERVER_WORKER_CLASS'] ?? '')
        ? 'api_websocket'
        : 'api';
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
  const byImage = lookUp(IMAGE_ROLES, difyImageComponent(input.image));
  if (byImage === 'api' || (byImage === null && (byService === 'api' || byService === 'api_websocket'))) {
    return roleFromApiMode(input.env, byService) ?? byService ?? 'api';
  }
  return byService ?? byImage ?? 'service';
}
