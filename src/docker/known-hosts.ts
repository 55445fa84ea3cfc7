import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * OpenSSH's known_hosts, read the way ssh(1) reads it: plain and hashed (`|1|salt|hash`) host
 * patterns, `[host]:port` for ports other than 22, comma lists, `*`/`?` wildcards, `!` negation
 * and `@revoked`. `@cert-authority` lines are skipped: host certificates are not supported, so a
 * host known only through one is reported unknown, never accepted.
 */
export interface KnownHostEntry {
  readonly line: number;
  readonly marker: 'revoked' | null;
  readonly hostPatterns: string;
  readonly keyType: string;
  /** The public key blob, as it goes over the wire. */
  readonly key: Buffer;
}

export type HostKeyVerdict =
  | { readonly kind: 'known'; readonly entry: KnownHostEntry }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'changed'; readonly entry: KnownHostEntry }
  | { readonly kind: 'revoked'; readonly entry: KnownHostEntry };

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0].startsWith('@')) {
      if (fields[0] !== '@revoked') return;
      marker = 'revoked';
      fields.shift();
    }
    const [hostPatterns, keyType, base64] = fields;
    if (hostPatterns === undefined || keyType === undefined || base64 === undefined) return;
    const key = Buffer.from(base64, 'base64');
    if (key.length === 0) return;
    entries.push({ line: index + 1, marker, hostPatterns, keyType, key });
  });
  return entries;
}

/** The name ssh(1) looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** `SHA256:…` as ssh-keygen -l and ssh's own prompt print it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (its first string field). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const length = key.readUInt32BE(0);
  return key.subarray(4, 4 + length).toString('latin1');
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function wildcardMatch(pattern: string, name: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i').test(name);
}

/** True when the entry's host field names `name`; a matching `!pattern` excludes it. */
function hostMatches(hostPatterns: string, name: string): boolean {
  if (hostPatterns.startsWith('|')) return hashedMatch(hostPatterns, name);
  let matched = false;
  for (const pattern of hostPatterns.split(',')) {
    if (pattern.startsWith('!')) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/**
 * What known_hosts says about the key a server presented. A revoked key wins over everything;
 * an entry of the same key type with another key means the key changed (or someone is in the
 * middle); entries of other types only mean this type is not yet known.
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  key: Buffer,
): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const forHost = entries.filter((e) => hostMatches(e.hostPatterns, name));
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked !== undefined) return { kind: 'revoked', entry: revoked };
  const known = forHost.find((e) => e.marker === null && e.key.equals(key));
  if (known !== undefined) return { kind: 'known', entry: known };
  const type = keyTypeOf(key);
  const changed = forHost.find((e) => e.marker === null && e.keyType === type);
  if (changed !== undefined) return { kind: 'changed', entry: changed };
  return { kind: 'unknown' };
}

/** Key types known_hosts holds for this host, so the handshake can ask for those first, as ssh(1) does. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  return [
    ...new Set(
      entries.filter((e) => e.marker === null && hostMatches(e.hostPatterns, name)).map((e) => e.keyType),
    ),
  ];
}
