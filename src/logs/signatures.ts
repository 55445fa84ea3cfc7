/**
 * What Dify's containers say in their logs when something is wrong, as data: one entry per
 * signature, each with lines taken from a real Dify, gunicorn, celery, plugin-daemon, Postgres,
 * Redis, Weaviate or nginx log quoted in a source file or an issue, and where it was found. The
 * unit tests match every example against its own signature and no other, and the healthy-start
 * lines (`HEALTHY_START`) against none.
 */

export type SignatureSeverity = 'warning' | 'critical';

export interface Example {
  readonly line: string;
  /** Where the line was quoted. */
  readonly from: string;
}

export interface Signature {
  readonly id: string;
  /** The alert's words: "gunicorn killed a worker (SIGKILL, perhaps out of memory)". */
  readonly title: string;
  readonly severity: SignatureSeverity;
  readonly pattern: RegExp;
  /**
   * The line tells of a process killed inside the container: when the kernel's counts show that
   * kill too, it is one incident and one alert.
   */
  readonly kill?: boolean;
  /** A line of this signature soon after one of `explainedBy` (the same pid, when both name one) is that incident. */
  readonly explainedBy?: string;
  /** Only this many matches within the window are news (nginx errors come one per request). */
  readonly burst?: { readonly count: number; readonly windowMs: number };
  readonly examples: readonly Example[];
}

export const SIGNATURES: readonly Signature[] = [
  {
    id: 'gunicorn-sigkill',
    title: 'gunicorn lost a worker to SIGKILL (perhaps out of memory)',
    severity: 'critical',
    pattern: /Worker (?:\(pid:(\d+)\) was sent SIGKILL!|with pid (\d+) was terminated due to signal 9\b)/,
    kill: true,
    explainedBy: 'gunicorn-timeout',
    examples: [
      {
        line: '[2024-07-24 06:33:41 +0000] [1] [ERROR] Worker (pid:35) was sent SIGKILL! Perhaps out of memory?',
        from: 'https://github.com/langgenius/dify/issues/6617 (gunicorn/arbiter.py reap_workers)',
      },
      {
        line: '[2023-05-26 10:36:56 +0000] [20] [WARNING] Worker with pid 33 was terminated due to signal 9',
        from: 'https://github.com/langgenius/dify/issues/220 (gunicorn before 21)',
      },
    ],
  },
  {
    id: 'gunicorn-timeout',
    title: 'gunicorn timed a worker out and kills it (WORKER TIMEOUT)',
    severity: 'warning',
    pattern: /\[CRITICAL\] WORKER TIMEOUT \(pid:(\d+)\)/,
    examples: [
      {
        line: '[2024-07-24 06:33:40 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:35)',
        from: 'https://github.com/langgenius/dify/issues/6617 (gunicorn/arbiter.py murder_workers)',
      },
    ],
  },
  {
    id: 'celery-sigkill',
    title: 'celery lost a worker process to SIGKILL (WorkerLostError, signal 9)',
    severity: 'critical',
    pattern:
      /Process '[^']+' pid:(\d+) exited with 'signal 9 \(SIGKILL\)'|WorkerLostError\('?Worker exited prematurely: signal 9 \(SIGKILL\)/,
    kill: true,
    examples: [
      {
        line: "[2022-11-08 10:22:12,972: ERROR/MainProcess] Process 'ForkPoolWorker-4' pid:19 exited with 'signal 9 (SIGKILL)'",
        from: 'https://github.com/celery/billiard/issues/380 (billiard/pool.py)',
      },
      {
        line: "[2022-11-08 10:22:13,375: ERROR/MainProcess] Task handler raised error: WorkerLostError('Worker exited prematurely: signal 9 (SIGKILL) Job: 10.')",
        from: 'https://github.com/celery/billiard/issues/380 (celery/worker/request.py, billiard mark_as_worker_lost)',
      },
    ],
  },
  {
    id: 'plugin-killed',
    title: 'the plugin daemon lost a plugin to SIGKILL',
    severity: 'critical',
    pattern: /plugin (\S+) exited with error: signal: killed/,
    kill: true,
    explainedBy: 'plugin-restarted',
    examples: [
      {
        line: '[ERROR]plugin langgenius/ollama:0.0.3 exited with error: signal: killed',
        from: 'https://github.com/langgenius/dify-official-plugins/issues/407 (dify-plugin-daemon run.go)',
      },
      {
        line: '2025/04/14 12:47:52 run.go:131: [ERROR]plugin langgenius/dalle:0.0.4 exited with error: signal: killed',
        from: 'https://github.com/langgenius/dify-plugin-daemon/issues/379',
      },
    ],
  },
  {
    id: 'plugin-restarted',
    title: 'the plugin daemon killed and restarted a plugin that stopped answering',
    severity: 'warning',
    pattern: /plugin (\S+) is not active for [\d.]+ seconds, it may be dead, killing and restarting it/,
    examples: [
      {
        line: '2025/04/14 12:47:51 stdio_handle.go:200: [ERROR]plugin langgenius/dalle:0.0.4 is not active for 120 seconds, it may be dead, killing and restarting it',
        from: 'https://github.com/langgenius/dify-plugin-daemon/issues/379 (stdio_handle.go)',
      },
    ],
  },
  {
    id: 'postgres-oom',
    title: 'Postgres ran out of memory',
    severity: 'critical',
    pattern: /\b(?:ERROR|FATAL):\s+out of memory\b/,
    examples: [
      {
        line: 'ERROR: out of memory',
        from: 'https://github.com/dalibo/temboard/issues/1618 (PostgreSQL mcxt.c)',
      },
      {
        line: 'org.postgresql.util.PSQLException: FATAL: out of memory',
        from: 'https://github.com/JetBrains/Exposed/issues/594',
      },
    ],
  },
  {
    id: 'postgres-backend-killed',
    title: 'Postgres lost a server process to SIGKILL and restarts every connection',
    severity: 'critical',
    pattern: /server process \(PID (\d+)\) was terminated by signal 9: Killed/,
    kill: true,
    examples: [
      {
        line: '2021-01-18 21:19:30.017 UTC [1] LOG:  server process (PID 315) was terminated by signal 9: Killed',
        from: 'https://github.com/docker-library/postgres/issues/809 (PostgreSQL postmaster.c)',
      },
    ],
  },
  {
    id: 'postgres-too-many-clients',
    title: 'Postgres refuses connections: too many clients',
    severity: 'critical',
    pattern: /FATAL:\s+(?:sorry, too many clients already|remaining connection slots are reserved)/,
    examples: [
      {
        line: '2026-08-20 01:50:14.875 UTC [1360204] FATAL:  sorry, too many clients already',
        from: 'https://github.com/langgenius/dify/issues/40987',
      },
      {
        line: 'failed to connect to `host=db_postgres user=postgres database=dify_plugin`: server error (FATAL: sorry, too many clients already (SQLSTATE 53300))',
        from: 'https://github.com/langgenius/dify/issues/36053',
      },
    ],
  },
  {
    id: 'db-pool-exhausted',
    title: "the database connection pool is exhausted (SQLAlchemy's QueuePool)",
    severity: 'critical',
    pattern: /QueuePool limit of size \d+ overflow \d+ reached, connection timed out/,
    examples: [
      {
        line: 'sqlalchemy.exc.TimeoutError: QueuePool limit of size 30 overflow 30 reached, connection timed out, timeout 10.00 (Background on this error at: https://sqlalche.me/e/14/3o7r)',
        from: 'https://github.com/langgenius/dify/issues/472',
      },
    ],
  },
  {
    id: 'redis-oom',
    title: 'Redis refuses writes: it is at its maxmemory (OOM command not allowed)',
    severity: 'critical',
    pattern: /OOM command not allowed when used memory > 'maxmemory'/,
    examples: [
      {
        line: "redis.exceptions.ResponseError: OOM command not allowed when used memory > 'maxmemory'.",
        from: 'https://github.com/redis/redis-py/issues/817',
      },
    ],
  },
  {
    id: 'weaviate-read-only',
    title: 'Weaviate went read-only: its disk is nearly full',
    severity: 'critical',
    pattern: /Set READONLY, disk usage currently at [\d.]+%|store is read-only/,
    examples: [
      {
        line: '{"action":"set_shard_read_only","level":"warning","msg":"Set READONLY, disk usage currently at 90.01%, threshold set to 90.00%","path":"/var/lib/weaviate","time":"2025-04-17T19:19:26Z"}',
        from: 'https://github.com/langgenius/dify/issues/18986 (weaviate adapters/repos/db resource_use)',
      },
      {
        line: "[2024-09-26 03:16:47,939: WARNING/MainProcess] {'error': [{'message': 'store is read-only'}]}",
        from: 'https://github.com/weaviate/weaviate/issues/5912 (a Dify worker writing to it)',
      },
    ],
  },
  {
    id: 'nginx-502',
    title: 'nginx answers 502: its upstream refused or dropped the requests',
    severity: 'critical',
    pattern:
      /\[error\] \d+#\d+: \*\d+ (?:connect\(\) failed \(111: Connection refused\) while connecting to upstream|upstream prematurely closed connection while reading response header from upstream|no live upstreams while connecting to upstream)/,
    burst: { count: 5, windowMs: 60_000 },
    examples: [
      {
        line: '2021/06/11 15:46:52 [error] 22#22: *5 connect() failed (111: Connection refused) while connecting to upstream, client: 172.19.0.1, server: , request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:5005/", host: "localhost:85"',
        from: 'https://github.com/app-generator/intro/issues/11 (nginx ngx_http_upstream.c)',
      },
      {
        line: '2023/10/20 09:37:21 [error] 1258#1258: *11896 upstream prematurely closed connection while reading response header from upstream, client: 10.0.0.2, server: digisop-ad.axxsoln.in, request: "GET /static/js/bundle.js HTTP/1.1", upstream: "http://10.0.1.151:3000/static/js/bundle.js", host: "digisop-ad.axxsoln.in", referrer: "https://digisop-ad.axxsoln.in/departments"',
        from: 'https://github.com/xavier-hernandez/goaccess-for-nginxproxymanager/issues/170',
      },
    ],
  },
  {
    id: 'nginx-504',
    title: 'nginx answers 504: its upstream does not answer in time',
    severity: 'critical',
    pattern:
      /upstream timed out \(110: (?:Connection|Operation) timed out\) while (?:reading response header from|connecting to) upstream/,
    burst: { count: 5, windowMs: 60_000 },
    examples: [
      {
        line: '2025/03/26 09:51:11 [error] 1678#1678: *18992 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 113.55.127.140, server: dify.app.ynu.edu.cn, request: "GET /api/messages/a4e69d9e-78e8-4c77-8586-b14cab7bf524/suggested-questions HTTP/1.1", upstream: "http://127.0.0.1:3016/api/messages/a4e69d9e-78e8-4c77-8586-b14cab7bf524/suggested-questions", host: "dify.app.ynu.edu.cn", referrer: "https://dify.app.ynu.edu.cn/chatbot/gH9Gkwu0kmaIEloS"',
        from: 'https://github.com/langgenius/dify/issues/16727',
      },
    ],
  },
];

/** What a Dify stack prints as it starts, quoted in Dify's issues: none of it is news. */
export const HEALTHY_START: readonly Example[] = [
  ...[
    'Running migrations',
    '2025-06-18 07:45:15.566 INFO [MainThread] [utils.py:162] - NumExpr defaulting to 4 threads.',
    'Preparing database migration...',
    'Starting database migration.',
    'INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.',
    'INFO  [alembic.runtime.migration] Will assume transactional DDL.',
    'Database migration successful!',
    '[2025-06-18 07:45:22 +0000] [1] [INFO] Starting gunicorn 23.0.0',
    '[2025-06-18 07:45:22 +0000] [1] [INFO] Listening at: http://0.0.0.0:5001 (1)',
    '[2025-06-18 07:45:22 +0000] [1] [INFO] Using worker: gevent',
    '[2025-06-18 07:45:22 +0000] [19] [INFO] Booting worker with pid: 19',
  ].map((line) => ({ line, from: 'https://github.com/langgenius/dify/issues/21165 (docker-api-1)' })),
  {
    line: '2025-02-11 11:47:58.047 INFO [MainThread] [mingle.py:49] - mingle: all alone',
    from: 'https://github.com/langgenius/dify/issues/13540 (docker-worker-1)',
  },
  ...[
    'PostgreSQL Database directory appears to contain a database; Skipping initialization',
    '2024-05-22 06:32:19.586 UTC [1] LOG:  starting PostgreSQL 15.7 on x86_64-pc-linux-musl, compiled by gcc (Alpine 13.2.1_git20231014) 13.2.1 20231014, 64-bit',
    '2024-05-22 06:32:19.586 UTC [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432',
    '1:C 22 May 2024 06:32:19.695 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo',
    '1:C 22 May 2024 06:32:19.695 # Redis version=6.2.14, bits=64, commit=00000000, modified=0, pid=1, just started',
    '1:C 22 May 2024 06:32:19.695 # Configuration loaded',
  ].map((line) => ({
    line,
    from: 'https://github.com/langgenius/dify/issues/4553 (docker-db-1, docker-redis-1)',
  })),
  ...[
    '{"action":"grpc_startup","level":"info","msg":"grpc server listening at [::]:50051","time":"2025-03-05T12:22:05Z"}',
    '{"action":"restapi_management","level":"info","msg":"Serving weaviate at http://[::]:8080","time":"2025-03-05T12:22:05Z"}',
  ].map((line) => ({ line, from: 'https://github.com/langgenius/dify/issues/15023 (weaviate-1)' })),
  ...[
    '2025/06/05 03:35:48 pool.go:32: [INFO]init routine pool, size: 10000',
    '2025/06/05 03:35:49 init.go:99: [INFO]dify plugin db initialized',
    '2025/06/05 03:35:49 manager.go:176: [INFO]start plugin manager daemon...',
    '2025/06/05 03:35:49 run.go:147: [INFO]plugin antv/visualization:0.1.3 started',
    '[gnet] 2025-06-05T03:35:49.104294717Z   INFO    logging/logger.go:256   Launching gnet with 8 event-loops, listening on: tcp://0.0.0.0:5003',
  ].map((line) => ({
    line,
    from: 'https://github.com/langgenius/dify-plugin-daemon/issues/336 (plugin_daemon)',
  })),
  {
    line: '172.23.0.1 - - [26/Mar/2025:01:51:11 +0000] "GET /api/messages/a4e69d9e-78e8-4c77-8586-b14cab7bf524/suggested-questions HTTP/1.1" 499 0 "https://dify.app.ynu.edu.cn/chatbot/gH9Gkwu0kmaIEloS" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"',
    from: 'https://github.com/langgenius/dify/issues/16727 (nginx-1)',
  },
];
