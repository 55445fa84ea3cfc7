import type { HostFailureState } from '../model.ts';
import { SshError } from './ssh.ts';
import { backoffDelay } from '../util/backoff.ts';

/**
 * Why an engine could not be used, sorted by what helps: `down` passes by itself (the engine
 * restarts, the VPN comes back), so it is retried soon; `auth-failed` and `tls-failed` need someone
 * to change a key, a certificate or known_hosts, so retrying often only fills the server's log.
 */
export type FailureState = HostFailureState;

export interface Failure {
  readonly state: FailureState;
  /** One sentence: what exactly failed. */
  readonly reason: string;
}

/** TLS verification failures of the engine's certificate, by Node's (OpenSSL's) error code. */
const SERVER_CERT: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown CA: the engine’s certificate is not signed by the given CA',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown CA: the engine’s certificate is not signed by the given CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown CA: the engine’s certificate is not signed by the given CA',
  SELF_SIGNED_CERT_IN_CHAIN:
    'unknown CA: the engine’s certificate chain ends in a CA that is not the given one',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'unknown CA: the engine presents a self-signed certificate',
  CERT_HAS_EXPIRED: 'the engine’s certificate has expired',
  CERT_NOT_YET_VALID: 'the engine’s certificate is not valid yet (check both clocks)',
  CERT_SIGNATURE_FAILURE: 'the engine’s certificate signature does not verify',
  ERR_TLS_CERT_ALTNAME_INVALID: 'wrong host name: the engine’s certificate is not issued for this address',
};

/** Alerts the engine sent back during the handshake: it did not accept what we presented. */
const CLIENT_CERT: Readonly<Record<string, string>> = {
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'bad certificate: the engine rejected our client certificate',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA:
    'bad certificate: the engine does not trust the CA that signed our client certificate',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    'the engine requires a client certificate and none was given (--tls-cert, --tls-key)',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'bad certificate: the engine says our client certificate expired',
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: 'bad certificate: the client key does not match what the engine expects',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the TLS handshake failed (no protocol or cipher in common)',
  ERR_OSSL_X509_KEY_VALUES_MISMATCH: 'the client key does not belong to the client certificate',
};

const ALERT_PREFIX: Readonly<Record<string, string>> = {
  'bad certificate': 'SSLV3_ALERT_BAD_CERTIFICATE',
  'unknown ca': 'TLSV1_ALERT_UNKNOWN_CA',
  'certificate required': 'TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'certificate expired': 'SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'decrypt error': 'TLSV1_ALERT_DECRYPT_ERROR',
  'handshake failure': 'SSLV3_ALERT_HANDSHAKE_FAILURE',
};

/** A TLS client met a plain-HTTP listener: OpenSSL reads its answer as a malformed record. */
const NOT_TLS: ReadonlySet<string> = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_UNKNOWN_PROTOCOL',
]);

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError')
      return 'the engine did not answer in time';
    // Node's advice about the system CA store does not apply: the CA is the one given for this host.
    return error.message.replace(/; if the root CA is installed locally.*$/s, '').trim();
  }
  return String(error);
}

/** Sorts an error from any transport into the host state it means. Never throws. */
export function classifyFailure(error: unknown): Failure {
  if (error instanceof SshError) {
    return {
      state: error.kind === 'connect' || error.kind === 'remote-docker' ? 'down' : 'auth-failed',
      reason: error.message,
    };
  }
  const code = codeOf(error);
  const message = messageOf(error);
  const serverCert = SERVER_CERT[code];
  if (serverCert !== undefined) return { state: 'tls-failed', reason: `${serverCert} (${message})` };
  // OpenSSL 3 names alert codes "ERR_SSL_SSL/TLS_ALERT_…"; the alert's name is the stable part.
  const alert = /(?:sslv3|tlsv1|tlsv13|ssl\/tls) alert ([a-z ]+?)(?::|$)/i.exec(message)?.[1];
  const clientCert =
    CLIENT_CERT[code] ??
    (alert === undefined ? undefined : CLIENT_CERT[`ERR_SSL_${ALERT_PREFIX[alert.toLowerCase()] ?? ''}`]);
  if (clientCert !== undefined) {
    const detail = alert === undefined ? message : `the engine sent the TLS alert "${alert}"`;
    return { state: 'tls-failed', reason: `${clientCert} (${detail})` };
  }
  if (
    NOT_TLS.has(code) ||
    (code === 'EPROTO' && /wrong version number|packet length too long|http request/i.test(message))
  ) {
    return {
      state: 'tls-failed',
      reason: `the engine does not speak TLS on this port (${message}); use its TLS port, or a plain tcp:// address without TLS files`,
    };
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_OSSL_') || code.startsWith('ERR_TLS_')) {
    return { state: 'tls-failed', reason: message };
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (status === 400 && /HTTP request to an HTTPS server/i.test(message)) {
    return {
      state: 'tls-failed',
      reason:
        'the engine speaks TLS on this port, but no TLS files were given; add --tls-ca, --tls-cert and --tls-key (plain HTTP is never tried instead)',
    };
  }
  if (status === 401 || status === 403) {
    return { state: 'auth-failed', reason: `the engine refused the request (HTTP ${status}): ${message}` };
  }
  return { state: 'down', reason: message };
}

/**
 * Retry delay for the n-th consecutive failure in a state: 1 s doubling to 30 s for `down`; one
 * minute doubling to 15 min when only a person can fix it.
 */
export function retryDelay(state: FailureState, attempt: number): number {
  return state === 'down' ? backoffDelay(attempt) : backoffDelay(attempt, 60_000, 15 * 60_000);
}
