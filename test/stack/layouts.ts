/**
 * The services of Dify's docker/docker-compose.yaml with its default profiles (postgres,
 * weaviate), as two releases ship them, and what 1.16 added. Only what the engine shows of them
 * is kept: image, the MODE (and worker class) that tells the api image's roles apart, and whether
 * it is a one-shot.
 */
export type Layout = 'current' | 'old' | 'agents';

export interface ServiceDef {
  readonly service: string;
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
  /** Runs to completion before the others start (`service_completed_successfully`). */
  readonly oneShot?: readonly string[];
}

/* A few of the variables Dify's shared env block gives the api image, secrets included, as users run it. */
const SHARED_API_ENV = { LOG_LEVEL: 'INFO', SECRET_KEY: 'sk-stand-in-secret', DB_USERNAME: 'postgres' };

/* Dify 1.10's init_permissions, minus the bind mount: it exits 0 once the flag file exists. */
const INIT_PERMISSIONS = [
  'sh',
  '-c',
  [
    'FLAG_FILE=/app/api/storage/.init_permissions',
    'mkdir -p /app/api/storage',
    'if [ -f "$FLAG_FILE" ]; then echo "Permissions already initialized. Exiting."; exit 0; fi',
    'chown -R 1001:1001 /app/api/storage && touch "$FLAG_FILE"',
    'echo "Permissions initialized. Exiting."',
  ].join('\n'),
];

const CURRENT: readonly ServiceDef[] = [
  { service: 'init_permissions', image: 'busybox:latest', env: {}, oneShot: INIT_PERMISSIONS },
  { service: 'api', image: 'langgenius/dify-api:1.10.1', env: { ...SHARED_API_ENV, MODE: 'api' } },
  { service: 'worker', image: 'langgenius/dify-api:1.10.1', env: { ...SHARED_API_ENV, MODE: 'worker' } },
  { service: 'worker_beat', image: 'langgenius/dify-api:1.10.1', env: { ...SHARED_API_ENV, MODE: 'beat' } },
  { service: 'web', image: 'langgenius/dify-web:1.10.1', env: {} },
  { service: 'db_postgres', image: 'postgres:15-alpine', env: { POSTGRES_DB: 'dify' } },
  { service: 'redis', image: 'redis:6-alpine', env: {} },
  { service: 'sandbox', image: 'langgenius/dify-sandbox:0.2.12', env: {} },
  {
    service: 'plugin_daemon',
    image: 'langgenius/dify-plugin-daemon:0.4.1-local',
    env: { DB_DATABASE: 'dify_plugin' },
  },
  { service: 'ssrf_proxy', image: 'ubuntu/squid:latest', env: {} },
  { service: 'nginx', image: 'nginx:latest', env: {} },
  { service: 'weaviate', image: 'semitechnologies/weaviate:1.27.0', env: {} },
];

const OLD: readonly ServiceDef[] = [
  { service: 'api', image: 'langgenius/dify-api:0.15.3', env: { ...SHARED_API_ENV, MODE: 'api' } },
  { service: 'worker', image: 'langgenius/dify-api:0.15.3', env: { ...SHARED_API_ENV, MODE: 'worker' } },
  { service: 'web', image: 'langgenius/dify-web:0.15.3', env: {} },
  { service: 'db', image: 'postgres:15-alpine', env: { POSTGRES_DB: 'dify' } },
  { service: 'redis', image: 'redis:6-alpine', env: {} },
  { service: 'sandbox', image: 'langgenius/dify-sandbox:0.2.10', env: {} },
  { service: 'ssrf_proxy', image: 'ubuntu/squid:latest', env: {} },
  { service: 'nginx', image: 'nginx:latest', env: {} },
  { service: 'weaviate', image: 'semitechnologies/weaviate:1.19.0', env: {} },
];

/*
 * Dify 1.16's additions, to start beside a current stack in the same project: the agent runtime
 * (on by default), the collaboration websocket (profile collaboration) and seekdb (profile seekdb).
 */
const AGENTS: readonly ServiceDef[] = [
  {
    service: 'api_websocket',
    image: 'langgenius/dify-api:1.16.1',
    env: {
      ...SHARED_API_ENV,
      MODE: 'api',
      SERVER_WORKER_CLASS: 'geventwebsocket.gunicorn.workers.GeventWebSocketWorker',
    },
  },
  { service: 'agent_backend', image: 'langgenius/dify-agent-backend:1.16.1', env: {} },
  { service: 'local_sandbox', image: 'langgenius/dify-agent-local-sandbox:1.16.1', env: {} },
  { service: 'agent_ssrf_proxy', image: 'ubuntu/squid:latest', env: {} },
  { service: 'seekdb', image: 'oceanbase/seekdb:latest', env: {} },
];

const LAYOUTS: Readonly<Record<Layout, readonly ServiceDef[]>> = {
  current: CURRENT,
  old: OLD,
  agents: AGENTS,
};

export function servicesOf(layout: Layout): readonly ServiceDef[] {
  return LAYOUTS[layout];
}
