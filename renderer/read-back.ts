/**
 * Words the monitor sent in English, written again in the page's language. The monitor keeps and
 * sends some sentences as text (timeline lines, a field's error); a sentence made from one of the
 * English templates is read back into its figures by that template, and the page's own template
 * writes it again. A sentence of any other shape is shown as it came.
 */

export type Figures = (name: string) => string;
export type Rewrite = readonly [read: (text: string) => Figures | null, write: (figures: Figures) => string];

/** `{{name}} restarted` → reads `api-1 restarted` as { name: 'api-1' }. */
export function reader(template: string): (text: string) => Figures | null {
  const names: string[] = [];
  const parts = template.split(/\{\{(\w+)\}\}/).map((part, i) => {
    if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    names.push(part);
    return '(.+?)';
  });
  const pattern = new RegExp(`^${parts.join('')}$`, 's');
  return (text) => {
    const match = pattern.exec(text);
    if (match === null) return null;
    return (name) => match[names.indexOf(name) + 1] ?? '';
  };
}

/** The first rewrite whose template `text` fits, else `text` as it is. */
export function readBack(text: string, rewrites: readonly Rewrite[]): string {
  for (const [read, write] of rewrites) {
    const figures = read(text);
    if (figures !== null) return write(figures);
  }
  return text;
}
