import { isIP } from 'node:net';

/** True for an address only this machine can reach. */
export function isLoopback(bind: string): boolean {
  const address = bind.replace(/^\[|\]$/g, '');
  if (address === 'localhost') return true;
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1';
}

/**
 * On a loopback bind there is no token, so a page from another site could reach the server by
 * rebinding its own name to 127.0.0.1; only Host headers naming this machine are accepted.
 */
export function loopbackHostAllowed(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  const name = hostHeader.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name);
}
