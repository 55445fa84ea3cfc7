/**
 * What is left in English in a text meant to be Chinese: every Latin word of two letters or more
 * once the names (containers, hosts, stacks, roles) and the allowed words (units, product names)
 * are taken out. A test expects it empty.
 */
export function englishLeft(text: string, names: readonly string[], allowed: readonly string[]): string[] {
  let rest = text;
  for (const name of [...names].sort((a, b) => b.length - a.length)) rest = rest.split(name).join(' ');
  const words = rest.match(/[A-Za-z][A-Za-z'-]*[A-Za-z]/g) ?? [];
  return words.filter((w) => !allowed.includes(w));
}

/** Units and names every Chinese text may keep: sizes, the product and the things it watches. */
export const UNIT_AND_PRODUCT_WORDS = [
  'MiB',
  'GiB',
  'KiB',
  'TiB',
  'Dify',
  'Monitor',
  'Docker',
  'OOM',
  'CPU',
  'TLS',
];

export function hasChinese(text: string): boolean {
  return /\p{Script=Han}/u.test(text);
}
