/**
 * Commander's own words (the help's titles, `(default: …)`, `(choices: …)`, the help option) in
 * the user's language. Subcommands inherit the help configuration from the program.
 */
import type { Command, Option } from 'commander';
import { t } from '../i18n/index.ts';

const TITLES = {
  'Usage:': 'usage',
  'Options:': 'options',
  'Commands:': 'commands',
  'Arguments:': 'arguments',
  'Global Options:': 'globalOptions',
} as const;

const isTitle = (title: string): title is keyof typeof TITLES => title in TITLES;

function optionDescription(option: Option): string {
  const extra: string[] = [];
  if (option.argChoices !== undefined)
    extra.push(`${t('cli:help.choices')}: ${option.argChoices.map((c) => JSON.stringify(c)).join(', ')}`);
  const shown =
    option.required || option.optional || (option.isBoolean() && typeof option.defaultValue === 'boolean');
  if (option.defaultValue !== undefined && shown)
    extra.push(
      `${t('cli:help.default')}: ${option.defaultValueDescription ?? JSON.stringify(option.defaultValue)}`,
    );
  return extra.length === 0 ? option.description : `${option.description} (${extra.join(', ')})`;
}

export function helpInLanguage(program: Command): void {
  program
    .helpOption('-h, --help', t('cli:help.helpOption'))
    .helpCommand('help [command]', t('cli:help.helpCommand'))
    .configureHelp({
      styleTitle: (title) => (isTitle(title) ? t(`cli:help.title.${TITLES[title]}`) : title),
      optionDescription,
    });
}
