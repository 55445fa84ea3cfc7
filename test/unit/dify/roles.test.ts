import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { difyImageComponent, difyRole, roleFromService } from '../../../src/dify/roles.ts';

describe('difyImageComponent', () => {
  it('recognises Dify images with and without a registry prefix', () => {
    assert.equal(difyImageComponent('langgenius/dify-api:1.10.1'), 'api');
    assert.equal(difyImageComponent('docker.io/langgenius/dify-plugin-daemon:0.4.1-local'), 'plugin-daemon');
    assert.equal(difyImageComponent('registry.example.com:5000/langgenius/dify-web'), 'web');
    assert.equal(difyImageComponent('langgenius/dify-sandbox@sha256:abc'), 'sandbox');
  });
  it('does not mistake look-alikes for Dify', () => {
    assert.equal(difyImageComponent('notlanggenius/dify-api:1'), null);
    assert.equal(difyImageComponent('postgres:15-alpine'), null);
    assert.equal(difyImageComponent('langgenius/other:1'), null);
  });
});

describe('roleFromService', () => {
  it('normalises both layouts of the database service', () => {
    assert.equal(roleFromService('db'), 'db');
    assert.equal(roleFromService('db_postgres'), 'db');
    assert.equal(roleFromService('db_mysql'), 'db');
  });
  it('maps vector stores and helpers', () => {
    assert.equal(roleFromService('weaviate'), 'vector_store');
    assert.equal(roleFromService('qdrant'), 'vector_store');
    assert.equal(roleFromService('init_permissions'), 'init');
    assert.equal(roleFromService('my_sidecar'), null);
  });
});

describe('difyRole', () => {
  const api = 'langgenius/dify-api:1.10.1';
  it('reads MODE on the api image, whatever the service is called', () => {
    assert.equal(difyRole({ service: 'api', image: api, env: { MODE: 'api' } }), 'api');
    assert.equal(difyRole({ service: 'worker', image: api, env: { MODE: 'worker' } }), 'worker');
    assert.equal(difyRole({ service: 'worker_beat', image: api, env: { MODE: 'beat' } }), 'worker_beat');
    assert.equal(difyRole({ service: 'celery', image: api, env: { MODE: 'worker' } }), 'worker');
  });
  it('falls back to the service when MODE is missing', () => {
    assert.equal(difyRole({ service: 'worker', image: api, env: {} }), 'worker');
    assert.equal(difyRole({ service: null, image: api, env: {} }), 'api');
  });
  it('names unknown members of a Dify stack "service"', () => {
    assert.equal(difyRole({ service: 'grafana', image: 'grafana/grafana', env: {} }), 'service');
  });
});

describe('every service of Dify 1.16 docker/docker-compose.yaml', () => {
  const API = 'langgenius/dify-api:1.16.1';
  // Service, image and the environment that tells the api image's roles apart, as the file has them.
  const services: readonly [string, string, Record<string, string>, string][] = [
    ['init_permissions', 'busybox:latest', {}, 'init'],
    ['api', API, { MODE: 'api', SERVER_WORKER_CLASS: 'gevent' }, 'api'],
    [
      'api_websocket',
      API,
      { MODE: 'api', SERVER_WORKER_CLASS: 'geventwebsocket.gunicorn.workers.GeventWebSocketWorker' },
      'api_websocket',
    ],
    ['worker', API, { MODE: 'worker' }, 'worker'],
    ['worker_beat', API, { MODE: 'beat' }, 'worker_beat'],
    ['web', 'langgenius/dify-web:1.16.1', {}, 'web'],
    ['db_postgres', 'postgres:15-alpine', {}, 'db'],
    ['db_mysql', 'mysql:8.0', {}, 'db'],
    ['redis', 'redis:6-alpine', {}, 'redis'],
    ['sandbox', 'langgenius/dify-sandbox:0.2.15', {}, 'sandbox'],
    ['local_sandbox', 'langgenius/dify-agent-local-sandbox:1.16.1', {}, 'sandbox'],
    ['plugin_daemon', 'langgenius/dify-plugin-daemon:0.6.3-local', {}, 'plugin_daemon'],
    ['agent_backend', 'langgenius/dify-agent-backend:1.16.1', {}, 'agent_backend'],
    ['agent_ssrf_proxy', 'ubuntu/squid:latest', {}, 'ssrf_proxy'],
    ['ssrf_proxy', 'ubuntu/squid:latest', {}, 'ssrf_proxy'],
    ['certbot', 'certbot/certbot', {}, 'certbot'],
    ['nginx', 'nginx:latest', {}, 'nginx'],
    ['weaviate', 'semitechnologies/weaviate:1.27.0', {}, 'vector_store'],
    ['oceanbase', 'oceanbase/oceanbase-ce:4.3.5-lts', { MODE: 'mini' }, 'vector_store'],
    ['seekdb', 'oceanbase/seekdb:latest', {}, 'vector_store'],
    ['qdrant', 'langgenius/qdrant:v1.8.3', {}, 'vector_store'],
    ['couchbase-server', 'couchbase-server', {}, 'vector_store'],
    ['pgvector', 'pgvector/pgvector:pg16', {}, 'vector_store'],
    ['vastbase', 'vastdata/vastbase-vector', {}, 'vector_store'],
    ['pgvecto-rs', 'tensorchord/pgvecto-rs:pg16-v0.3.0', {}, 'vector_store'],
    ['chroma', 'ghcr.io/chroma-core/chroma:0.5.20', {}, 'vector_store'],
    ['iris', 'containers.intersystems.com/intersystems/iris-community:2025.3', {}, 'vector_store'],
    ['oracle', 'container-registry.oracle.com/database/free:latest', {}, 'vector_store'],
    ['etcd', 'quay.io/coreos/etcd:v3.5.5', {}, 'vector_store'],
    ['minio', 'minio/minio:RELEASE.2023-03-20T20-16-18Z', {}, 'vector_store'],
    ['milvus-standalone', 'milvusdb/milvus:v2.6.3', {}, 'vector_store'],
    ['opensearch', 'opensearchproject/opensearch:latest', {}, 'vector_store'],
    ['opensearch-dashboards', 'opensearchproject/opensearch-dashboards:latest', {}, 'vector_store'],
    ['opengauss', 'opengauss/opengauss:7.0.0-RC1', {}, 'vector_store'],
    ['myscale', 'myscale/myscaledb:1.6.4', {}, 'vector_store'],
    ['matrixone', 'matrixorigin/matrixone:2.1.1', {}, 'vector_store'],
    ['elasticsearch', 'docker.elastic.co/elasticsearch/elasticsearch:8.14.3', {}, 'vector_store'],
    ['kibana', 'docker.elastic.co/kibana/kibana:8.14.3', {}, 'vector_store'],
    ['unstructured', 'downloads.unstructured.io/unstructured-io/unstructured-api:latest', {}, 'etl'],
  ];

  it('has a role for each, none of them the catch-all', () => {
    for (const [service, image, env, role] of services) {
      assert.equal(difyRole({ service, image, env }), role, service);
    }
  });

  it('knows the agent images and the websocket worker without their service names', () => {
    assert.equal(
      difyRole({ service: 'shell', image: 'langgenius/dify-agent-local-sandbox:1.16.1', env: {} }),
      'sandbox',
    );
    assert.equal(
      difyRole({ service: 'agents', image: 'langgenius/dify-agent-backend:1.16.1', env: {} }),
      'agent_backend',
    );
    const collab = {
      MODE: 'api',
      SERVER_WORKER_CLASS: 'geventwebsocket.gunicorn.workers.GeventWebSocketWorker',
    };
    assert.equal(difyRole({ service: 'collab', image: API, env: collab }), 'api_websocket');
    assert.equal(difyRole({ service: 'api_websocket', image: API, env: {} }), 'api_websocket');
  });

  it('does not take a service name from the prototype for a role', () => {
    assert.equal(roleFromService('constructor'), null);
    assert.equal(roleFromService('__proto__'), null);
  });
});
