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
