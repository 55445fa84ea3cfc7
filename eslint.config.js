import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The core's layers, low to high. A module imports its own folder and the rows below it, never a
 * row above nor a peer on its own row; `import type` counts too, since the consumer declares the
 * interface it reads (as `src/metrics` declares `MetricsState`). docs/ARCHITECTURE.md says why.
 */
export const LAYERS = [
  ['util', 'model.ts', 'i18n'],
  ['auth', 'docker', 'stats'],
  ['dify'],
  ['logs'],
  ['collect'],
  ['history'],
  ['alerts'],
  ['settings'],
  ['hosts'],
  ['notify', 'delivery'],
  ['api.ts'],
  ['service'],
  ['metrics', 'export'],
  ['serve'],
  ['cli'],
];

/**
 * The part of src/ the renderer may import: data, the API contract and pure functions. It runs in
 * a page, so it imports nothing of Node and nothing outside this list.
 */
export const BROWSER_SAFE = [
  'src/model.ts',
  'src/api.ts',
  'src/alerts/alert-text.ts',
  'src/alerts/format.ts',
  'src/alerts/limit.ts',
  'src/alerts/log.ts',
  'src/alerts/types.ts',
  'src/alerts/verdict.ts',
  'src/export/collect.ts',
  'src/export/csv.ts',
  'src/export/history.ts',
  'src/export/json.ts',
  'src/history/ring.ts',
  'src/history/store.ts',
  'src/history/timeline-entry.ts',
  'src/history/tiers.ts',
  'src/hosts/remote-url.ts',
  'src/i18n/index.ts',
  'src/i18n/format.ts',
  'src/i18n/language.ts',
  'src/i18n/resources.ts',
  'src/i18n/translation.ts',
  'src/i18n/en/alert.ts',
  'src/i18n/en/cli.ts',
  'src/i18n/en/delivery.ts',
  'src/i18n/en/hosts.ts',
  'src/i18n/en/notify.ts',
  'src/i18n/en/page.ts',
  'src/i18n/en/settings.ts',
  'src/i18n/en/timeline.ts',
  'src/i18n/en/tray.ts',
  'src/i18n/en/model.ts',
  'src/i18n/en/verdict.ts',
  'src/i18n/zh-CN/alert.ts',
  'src/i18n/zh-CN/cli.ts',
  'src/i18n/zh-CN/delivery.ts',
  'src/i18n/zh-CN/hosts.ts',
  'src/i18n/zh-CN/notify.ts',
  'src/i18n/zh-CN/page.ts',
  'src/i18n/zh-CN/settings.ts',
  'src/i18n/zh-CN/timeline.ts',
  'src/i18n/zh-CN/tray.ts',
  'src/i18n/zh-CN/model.ts',
  'src/i18n/zh-CN/verdict.ts',
  'src/settings/host-name.ts',
  'src/settings/schema.ts',
  'src/util/emitter.ts',
];

const ORDER = LAYERS.map((row) => row.join(' + ')).join(' → ');
const CLI_MESSAGE =
  'Nothing imports src/cli/: it is the program on top; run it as a process (test/helpers/cli.ts).';
const ELECTRON = {
  name: 'electron',
  message: 'Only main/ may import electron; src/ is the Electron-free core.',
};
const NODE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_'));

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isFile = (unit) => unit.endsWith('.ts');
const unitOf = (file) => LAYERS.flat().find((unit) => unit === file.split('/')[1]);
/** A pattern on the specifier as written; the regex is case-sensitive, as the file system may be. */
const pattern = (regex, message) => ({ regex, message, caseSensitive: true });

/** How a file of `from` spells a path up to src/ (a folder's files may sit in subfolders). */
const toSrc = (from) => (isFile(from) ? '\\./' : '(?:\\.\\./)+');

function layerPatterns(from) {
  const row = LAYERS.findIndex((units) => units.includes(from));
  const peers = LAYERS[row].filter((unit) => unit !== from);
  const above = LAYERS.slice(row + 1).flat();
  const naming = (unit) => `^${toSrc(from)}${escape(unit)}${isFile(unit) ? '$' : '(?:/|$)'}`;
  return [
    ...peers.map((unit) =>
      pattern(
        naming(unit),
        `src/${from} and src/${unit} are peers on one layer: neither imports the other (${ORDER}).`,
      ),
    ),
    ...above.map((unit) =>
      pattern(
        naming(unit),
        unit === 'cli'
          ? CLI_MESSAGE
          : `src/${from} is below src/${unit}: imports run downhill (${ORDER}); move the shared code down.`,
      ),
    ),
    pattern(
      `^${toSrc(from)}\\.\\./(?:main|renderer|test|bench|scripts)/`,
      'src/ is the core: it imports none of the shells, tests or tools.',
    ),
  ];
}

/** Any relative specifier under `scope` that is not another browser-safe file, as `file` spells it. */
function browserSafeOnly(file, scope, message) {
  const dir = posix.dirname(file);
  const spelled = BROWSER_SAFE.filter((other) => other !== file).map((other) => {
    const relative = posix.relative(dir, other);
    return escape(relative.startsWith('../') ? relative : `./${relative}`);
  });
  return pattern(`^(?!(?:${spelled.join('|')})$)${scope}`, `${message} (BROWSER_SAFE in eslint.config.js).`);
}

const noNode = (where) => ({
  paths: [ELECTRON, ...NODE_BUILTINS.map((name) => ({ name, message: `${where} runs in a page: no Node.` }))],
  patterns: [{ group: ['node:*'], message: `${where} runs in a page: browser APIs only.` }],
});

/**
 * The same restrictions on `import()`, which no-restricted-imports does not see. esquery's regex
 * literal ends at the first slash, so slashes are written as \x2F.
 */
function dynamicImports({ paths = [], patterns }) {
  const byMessage = Map.groupBy(paths, ({ message }) => message);
  const regexes = [
    ...[...byMessage].map(([message, named]) => ({
      regex: `^(?:${named.map(({ name }) => escape(name)).join('|')})$`,
      message,
    })),
    ...patterns.map(({ regex, group, message }) => ({
      regex: regex ?? `^${group[0].replace('*', '')}`,
      message,
    })),
  ];
  return regexes.map(({ regex, message }) => ({
    selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\x2F')}/]`,
    message: `import(): ${message}`,
  }));
}

const restrict = (options) => ({
  rules: {
    'no-restricted-imports': ['error', options],
    'no-restricted-syntax': ['error', ...dynamicImports(options)],
  },
});

const cliFromOutside = pattern('^(?:\\.\\./)+src/cli(?:/|$)', CLI_MESSAGE);

const layerBlocks = LAYERS.flat().map((unit) => ({
  files: isFile(unit) ? [`src/${unit}`] : [`src/${unit}/**`],
  ignores: BROWSER_SAFE,
  ...restrict({ paths: [ELECTRON], patterns: layerPatterns(unit) }),
}));

const browserSafeBlocks = BROWSER_SAFE.map((file) => {
  const node = noNode(`${file} is browser-safe (the renderer imports it), so it`);
  return {
    files: [file],
    ...restrict({
      paths: node.paths,
      patterns: [
        ...node.patterns,
        ...layerPatterns(unitOf(file)),
        browserSafeOnly(
          file,
          '\\.\\.?/',
          `${file} is browser-safe: it imports only the other browser-safe files`,
        ),
      ],
    }),
  };
});

const renderer = noNode('renderer/');

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'renderer/dist/**', 'main/dist/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**', 'test/**', 'bench/**', 'scripts/**'],
    ...restrict({ paths: [ELECTRON], patterns: [cliFromOutside] }),
  },
  {
    // main/'s tests type their fakes with Electron's own types, and the desktop harness's
    // stand-in for the electron module follows them.
    files: ['main/**', 'test/unit/main/**', 'test/desktop/**'],
    ...restrict({ patterns: [cliFromOutside] }),
  },
  ...layerBlocks,
  ...browserSafeBlocks,
  {
    // The renderer runs in a page (Electron's sandboxed one, or a browser): no Node, no Electron.
    files: ['renderer/**'],
    ...restrict({
      paths: renderer.paths,
      patterns: [
        ...renderer.patterns,
        browserSafeOnly(
          'renderer/index.ts',
          '\\.\\./src/',
          'renderer/ imports from src/ only its browser-safe part',
        ),
        pattern('^\\.\\./main/', 'renderer/ reaches main/ only through the API the preload exposes.'),
      ],
    }),
  },
);
