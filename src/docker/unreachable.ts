import type { Endpoint } from './endpoint.ts';
import type { Resolution } from './resolve.ts';

/**
 * The one line to show when no engine answers: where it looked and why, what failed, what to do.
 * A broken configuration is said as such instead, since starting Docker would not fix it.
 */
export function unreachableMessage(resolution: Resolution, cause: string): string {
  if (resolution.error !== undefined) return oneLine(resolution.error);
  const endpoint = resolution.endpoint;
  const others = resolution.tried.filter((url) => url !== endpoint?.url);
  const where = endpoint === null ? '' : ` at ${endpoint.url}`;
  const tried = others.length === 0 ? '' : `; tried: ${others.join(', ')}`;
  const what = oneLine(cause).replace(/\.+$/, '');
  return `Docker is not reachable${where} (${resolution.reason}${tried}): ${what}. ${hint(endpoint, what)}`;
}

function hint(endpoint: Endpoint | null, cause: string): string {
  if (endpoint?.transport === 'unix' && /EACCES|permission denied/i.test(cause)) {
    return 'This user may not open the socket: add it to the docker group (`sudo usermod -aG docker $USER`, then log in again), or set DOCKER_HOST.';
  }
  if (endpoint?.transport === 'npipe') return 'Is Docker running? Start Docker Desktop, or set DOCKER_HOST.';
  if (endpoint === null || endpoint.local) {
    return 'Is Docker running? Start Docker Desktop / `sudo systemctl start docker`, or set DOCKER_HOST.';
  }
  if (endpoint.transport === 'ssh') {
    return 'Is the remote engine running, does the SSH agent hold a key it accepts, and is `docker` on its PATH?';
  }
  return 'Is the engine running and listening there, and can this machine reach it?';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
