/** What an engine on a well-known socket is called in samples and alerts; `local` is the system engine. */
export type SocketName =
  'local' | 'docker-desktop' | 'colima' | 'orbstack' | 'rancher-desktop' | 'rootless' | 'podman';

export interface SocketCandidate {
  /** A unix socket path, or a named pipe in the `//./pipe/name` form the docker CLI uses. */
  readonly path: string;
  readonly transport: 'unix' | 'npipe';
  /** Who puts a socket there, when the path alone does not say. */
  readonly owner: string | null;
  readonly name: SocketName;
}

export interface SocketPlaces {
  readonly platform: NodeJS.Platform;
  readonly homedir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number | null;
}

/**
 * Where engines put their API socket when no DOCKER_HOST or context says otherwise, most
 * common first: the system engine, Docker Desktop (4.13+ moved it into the home directory),
 * the popular Desktop replacements, rootless Docker, then Podman's Docker-compatible API.
 */
export function wellKnownSockets(places: SocketPlaces): SocketCandidate[] {
  if (places.platform === 'win32') {
    return [
      { path: '//./pipe/docker_engine', transport: 'npipe', owner: null, name: 'local' },
      { path: '//./pipe/podman-machine-default', transport: 'npipe', owner: 'Podman', name: 'podman' },
    ];
  }
  const home = places.homedir.replace(/\/+$/, '');
  const runtimeDirs = unique([
    nonEmpty(places.env['XDG_RUNTIME_DIR'])?.replace(/\/+$/, ''),
    places.uid === null ? undefined : `/run/user/${places.uid}`,
  ]);
  const unix = (path: string, owner: string | null, name: SocketName): SocketCandidate => ({
    path,
    transport: 'unix',
    owner,
    name,
  });
  return [
    unix('/var/run/docker.sock', null, 'local'),
    unix(`${home}/.docker/run/docker.sock`, 'Docker Desktop', 'docker-desktop'),
    unix(`${home}/.docker/desktop/docker.sock`, 'Docker Desktop', 'docker-desktop'),
    unix(`${home}/.colima/default/docker.sock`, 'Colima', 'colima'),
    unix(`${home}/.colima/docker.sock`, 'Colima', 'colima'),
    unix(`${home}/.orbstack/run/docker.sock`, 'OrbStack', 'orbstack'),
    unix(`${home}/.rd/docker.sock`, 'Rancher Desktop', 'rancher-desktop'),
    ...runtimeDirs.map((dir) => unix(`${dir}/docker.sock`, 'rootless Docker', 'rootless')),
    ...runtimeDirs.map((dir) => unix(`${dir}/podman/podman.sock`, 'Podman', 'podman')),
    unix('/run/podman/podman.sock', 'Podman', 'podman'),
  ];
}

/** The name of the engine at a well-known socket or pipe path, or null for any other path. */
export function socketName(path: string, places: SocketPlaces): SocketName | null {
  return wellKnownSockets(places).find((candidate) => candidate.path === path)?.name ?? null;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))];
}
