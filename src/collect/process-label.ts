/**
 * What a process inside a Dify container is, in a user's words. The question asked in Dify's
 * issues is which plugin or which worker holds the memory, and a command line such as
 * `/app/storage/cwd/langgenius/openai-0.0.26@4f1c…/.venv/bin/python -m main` says it only to those
 * who know where the plugin daemon puts its plugins.
 */

/**
 * The plugin daemon runs each plugin with the Python of a virtual environment in the plugin's
 * working directory, `<cwd root>/<author>/<name>-<version>@<checksum>/.venv/bin/python`
 * (`buildPluginWorkingPath` and `getVirtualEnvironmentPythonPath` in langgenius/dify-plugin-daemon).
 */
const PLUGIN_PYTHON = /(?:^|\/)([^/\s]+)\/([^/\s]+)-([^/\s-]+)@[0-9a-f]{16,}\/\.venv\/bin\/python/;

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The program a command line runs: the script behind an interpreter (`python …/gunicorn`). */
function program(argv: readonly string[]): string {
  const first = basename(argv[0] ?? '');
  const script = argv[1];
  if (/^python[\d.]*$/.test(first) && script !== undefined && !script.startsWith('-'))
    return basename(script);
  return first;
}

function celeryKind(argv: readonly string[]): string {
  if (argv.includes('beat')) return 'celery beat';
  return argv.includes('worker') ? 'celery worker' : 'celery';
}

/**
 * A label for a process from its argv and its parent's argv (null when the parent is outside
 * the container): a plugin's name, gunicorn's master or a worker, celery's worker, beat or a
 * pool process, else the program's name or the title it gave itself (`postgres: checkpointer`).
 */
export function processLabel(argv: readonly string[], parentArgv: readonly string[] | null): string {
  const plugin = PLUGIN_PYTHON.exec(argv[0] ?? '');
  if (plugin !== null) return `plugin ${plugin[1]}/${plugin[2]}`;
  const own = program(argv);
  const parent = parentArgv === null ? null : program(parentArgv);
  // setproctitle, when installed, makes these "gunicorn: worker [app:app]" and "gunicorn: master [app:app]".
  const title = argv.length === 1 ? /^(gunicorn|celery): ?(\w+)/.exec(argv[0] ?? '') : null;
  if (title !== null) return `${title[1]} ${title[2]}`;
  if (own === 'gunicorn') return parent === 'gunicorn' ? 'gunicorn worker' : 'gunicorn master';
  if (own === 'celery') return parent === 'celery' ? 'celery pool worker' : celeryKind(argv);
  if (argv.length === 1 && / /.test(argv[0] ?? '')) return (argv[0] ?? '').trim().slice(0, 60);
  return own === '' ? '?' : own;
}
