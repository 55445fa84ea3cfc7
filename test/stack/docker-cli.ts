import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Runs one `docker` command and resolves with its trimmed stdout; `ExtraDockerd.docker` fits. */
export type DockerCli = (...args: string[]) => Promise<string>;

/** The engine DOCKER_HOST (or the CLI's context) names, as a user's shell would reach it. */
export const localDocker: DockerCli = async (...args) => {
  try {
    return (await exec('docker', args, { maxBuffer: 64 << 20 })).stdout.trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? '';
    throw new Error(`docker ${args.join(' ')} failed: ${stderr || String(error)}`, { cause: error });
  }
};
