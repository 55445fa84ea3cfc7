import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import {
  checkHostKey,
  fingerprint,
  knownKeyTypes,
  parseKnownHosts,
} from '../../../src/docker/known-hosts.ts';

function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const b = Buffer.from(body);
  const out = Buffer.alloc(8 + t.length + b.length);
  out.writeUInt32BE(t.length, 0);
  t.copy(out, 4);
  out.writeUInt32BE(b.length, 4 + t.length);
  b.copy(out, 8 + t.length);
  return out;
}

const ed = blob('ssh-ed25519', 'key-one');
const edOther = blob('ssh-ed25519', 'key-two');
const rsa = blob('ssh-rsa', 'rsa-key');
const b64 = (b: Buffer): string => b.toString('base64');

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts', () => {
  it('matches plain names, comma lists and [host]:port for other ports', () => {
    const entries = parseKnownHosts(
      [
        `# comment`,
        `build.example,10.0.0.9 ssh-ed25519 ${b64(ed)}`,
        `[10.0.0.9]:2222 ssh-ed25519 ${b64(edOther)}`,
      ].join('\n'),
    );
    assert.equal(checkHostKey(entries, '10.0.0.9', 22, ed).kind, 'known');
    assert.equal(checkHostKey(entries, 'build.example', 22, ed).kind, 'known');
    assert.equal(checkHostKey(entries, '10.0.0.9', 2222, edOther).kind, 'known');
    assert.equal(checkHostKey(entries, '10.0.0.9', 2222, ed).kind, 'changed', 'port 2222 has its own key');
    assert.equal(checkHostKey(entries, '10.0.0.10', 22, ed).kind, 'unknown');
  });

  it('matches hashed entries, for port 22 and for [host]:port', () => {
    const entries = parseKnownHosts(
      `${hashed('10.0.0.9')} ssh-ed25519 ${b64(ed)}\n${hashed('[10.0.0.9]:2222')} ssh-ed25519 ${b64(edOther)}\n`,
    );
    assert.equal(checkHostKey(entries, '10.0.0.9', 22, ed).kind, 'known');
    assert.equal(checkHostKey(entries, '10.0.0.9', 2222, edOther).kind, 'known');
    assert.equal(checkHostKey(entries, '10.0.0.9', 22, edOther).kind, 'changed');
    assert.equal(checkHostKey(entries, '10.0.0.8', 22, ed).kind, 'unknown');
  });

  it('treats another key type as unknown, not changed, and asks for the known type first', () => {
    const entries = parseKnownHosts(`h ssh-rsa ${b64(rsa)}\n`);
    assert.equal(checkHostKey(entries, 'h', 22, ed).kind, 'unknown');
    assert.deepEqual(knownKeyTypes(entries, 'h', 22), ['ssh-rsa']);
  });

  it('honours wildcards, negation and @revoked, and skips @cert-authority', () => {
    const entries = parseKnownHosts(
      [
        `*.lab,!secret.lab ssh-ed25519 ${b64(ed)}`,
        `@revoked * ssh-ed25519 ${b64(edOther)}`,
        `@cert-authority *.lab ssh-rsa ${b64(rsa)}`,
      ].join('\n'),
    );
    assert.equal(checkHostKey(entries, 'a.lab', 22, ed).kind, 'known');
    assert.equal(checkHostKey(entries, 'secret.lab', 22, ed).kind, 'unknown');
    assert.equal(checkHostKey(entries, 'a.lab', 22, edOther).kind, 'revoked');
    assert.equal(checkHostKey(entries, 'a.lab', 22, rsa).kind, 'unknown');
  });

  it('prints fingerprints as ssh-keygen does', () => {
    assert.match(fingerprint(ed), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
