/**
 * The Channels part of Settings: where alerts go besides the desktop, as `dify-monitor channels`
 * has them. The list shows each channel's masked target and how its last delivery went; a new
 * channel's secrets are typed once, sent with `channels:add` and never come back (the fields are
 * cleared once saved); Test shows the receiver's exact answer.
 */
import type {
  ChannelAddRequest,
  ChannelList,
  ChannelSecretField,
  ChannelTestResult,
  ChannelView,
  DifyMonitorApi,
} from '../src/api.ts';
import { ALERT_RULES, type AlertRule } from '../src/alerts/types.ts';
// Types only: the schema module compiles its validator when loaded, which the page's CSP forbids.
import type { ChannelKind, ChannelSeverity, SmtpSecurity } from '../src/settings/schema.ts';
import { append, h } from './dom.ts';
import { dateTime, ruleName } from './format.ts';
import { t } from '../src/i18n/index.ts';
import { EN } from '../src/i18n/resources.ts';
import { isOneOf } from '../src/model.ts';

const URL_HINT: Readonly<Record<ChannelKind, string>> = {
  webhook: 'https://example.com/hooks/…',
  slack: 'https://hooks.slack.com/services/…',
  dingtalk: 'https://oapi.dingtalk.com/robot/send?access_token=…',
  feishu: 'https://open.feishu.cn/open-apis/bot/v2/hook/…',
  wecom: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
  ntfy: 'https://ntfy.sh/<topic>',
  email: '',
};
/** The English words' keys: a status or an outcome the page has no words for is not drawn. */
const KNOWN = EN.settings.channels;

type Field = keyof typeof KNOWN.labels;
type KindField = Exclude<Field, 'name' | 'kind' | 'minSeverity' | 'stacks' | 'rules'>;

/** Which fields each kind asks for, in order; the secrets among them are never shown again. */
const KIND_FIELDS: { readonly [K in ChannelKind]: readonly KindField[] } = {
  webhook: ['url', 'secret'],
  slack: ['url'],
  dingtalk: ['url', 'secret', 'keyword'],
  feishu: ['url', 'secret', 'keyword'],
  wecom: ['url'],
  ntfy: ['url', 'token'],
  email: ['smtpHost', 'smtpPort', 'security', 'user', 'password', 'from', 'to'],
};
const CHANNEL_KINDS = Object.keys(KIND_FIELDS) as ChannelKind[];
const CHANNEL_SEVERITIES = Object.keys({ warning: 1, critical: 1 } satisfies Record<
  ChannelSeverity,
  1
>) as ChannelSeverity[];
const HEADS = ['name', 'kind', 'target', 'sends', 'last'] as const;
const SMTP_SECURITY = Object.keys({ starttls: 1, tls: 1 } satisfies Record<SmtpSecurity, 1>);
const SECRET: ReadonlySet<Field> = new Set<Field>(['url', 'secret', 'token', 'password']);
const KIND_FIELD_LIST = [...new Set(Object.values(KIND_FIELDS).flat())];

const isTexts = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const orNull = (v: unknown, type: 'number' | 'string'): boolean => v === null || typeof v === type;

/** Every field this page draws, checked: a server that sends anything else gets an error line, not a broken page. */
function isChannelView(v: unknown): v is ChannelView {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  const s = c['status'] as Record<string, unknown> | null;
  return (
    typeof c['name'] === 'string' &&
    typeof c['target'] === 'string' &&
    typeof c['minSeverity'] === 'string' &&
    (CHANNEL_KINDS as readonly unknown[]).includes(c['kind']) &&
    isTexts(c['stacks']) &&
    isTexts(c['rules']) &&
    typeof s === 'object' &&
    s !== null &&
    Object.hasOwn(KNOWN.last, String(s['last'])) &&
    orNull(s['at'], 'number') &&
    orNull(s['why'], 'string') &&
    typeof s['waiting'] === 'number' &&
    typeof s['dropped'] === 'number'
  );
}

function isTestResult(v: unknown): v is ChannelTestResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    Object.hasOwn(KNOWN.outcome, String(r['outcome'])) &&
    orNull(r['why'], 'string') &&
    typeof r['answer'] === 'string'
  );
}

function isChannelList(v: unknown): v is ChannelList {
  if (typeof v !== 'object' || v === null) return false;
  const list = v as Record<string, unknown>;
  return (
    typeof list['secretsKept'] === 'string' &&
    Array.isArray(list['channels']) &&
    list['channels'].every(isChannelView)
  );
}

const words = (text: string): string[] =>
  text
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '');

/** serve's words for where the secrets are, in the page's language when they came in English. */
function keptWhere(where: string): string {
  return where === KNOWN.ownerOnlyFile ? t('settings:channels.ownerOnlyFile') : where;
}

function severityWord(severity: string): string {
  return isOneOf(CHANNEL_SEVERITIES, severity) ? t(`page:timeline.severity.${severity}`) : severity;
}

function filterText(c: ChannelView): string {
  const stacks = c.stacks.length === 0 ? t('settings:channels.allStacks') : c.stacks.join(', ');
  const rules = c.rules.length === 0 ? t('settings:channels.allRules') : c.rules.map(ruleName).join(', ');
  return `${t('settings:channels.from', { severity: severityWord(c.minSeverity) })} · ${stacks} · ${rules}`;
}

function statusCell(c: ChannelView): HTMLElement {
  const s = c.status;
  const good = s.last === 'delivered' || s.last === 'never';
  return h(
    'td',
    { class: 'channel-status', 'data-last': s.last },
    h('span', { class: `badge ${good ? 'ok' : 'warning'}` }, t(`settings:channels.last.${s.last}`)),
    s.at === null ? null : h('div', { class: 'sub' }, dateTime(s.at)),
    s.why === null ? null : h('div', { class: 'sub channel-why' }, s.why),
    s.waiting === 0 ? null : h('div', { class: 'sub' }, t('settings:channels.waiting', { n: s.waiting })),
    s.dropped === 0 ? null : h('div', { class: 'sub' }, t('settings:channels.dropped', { n: s.dropped })),
  );
}

/** The receiver's answer as `channels test` prints it: what became of it, then the answer as it came. */
function showTest(out: HTMLElement, result: ChannelTestResult): void {
  out.dataset['ok'] = String(result.outcome === 'delivered');
  out.replaceChildren(
    h(
      'span',
      {},
      `${t(`settings:channels.outcome.${result.outcome}`)}${result.why === null ? '' : ` ${result.why}`}`,
    ),
    result.answer === '' ? '' : h('pre', { class: 'channel-answer' }, result.answer),
  );
}

export class ChannelsPanel {
  readonly root: HTMLElement;
  readonly #api: DifyMonitorApi;
  readonly #body = h('div');
  readonly #kept = h('p', { class: 'sub channel-kept' });
  readonly #status = h('p', { class: 'channels-status', role: 'status', 'aria-live': 'polite' });
  readonly #inputs = new Map<Field, HTMLInputElement | HTMLSelectElement>();
  readonly #rows = new Map<KindField, HTMLElement>();
  readonly #rules = ALERT_RULES.map((rule) =>
    h('input', { type: 'checkbox', value: rule, class: 'channel-rule' }),
  );
  #list: ChannelList = { channels: [], secretsKept: '' };

  constructor(api: DifyMonitorApi) {
    this.#api = api;
    const form = h('form', {
      class: 'channel-form entry-form',
      novalidate: true,
      'aria-label': t('settings:channels.add'),
    });
    const fieldset = h('fieldset', {}, h('legend', {}, t('settings:channels.add')));
    fieldset.append(
      this.#field('name'),
      this.#select('kind', CHANNEL_KINDS, (o) =>
        isOneOf(CHANNEL_KINDS, o) ? t(`settings:channels.kinds.${o}`) : o,
      ),
    );
    for (const field of KIND_FIELD_LIST) {
      const row = field === 'security' ? this.#select('security', SMTP_SECURITY) : this.#field(field);
      this.#rows.set(field, row);
      fieldset.append(row);
    }
    fieldset.append(
      this.#select('minSeverity', CHANNEL_SEVERITIES, severityWord),
      this.#field('stacks'),
      h(
        'div',
        { class: 'field channel-rules' },
        h('span', {}, t('settings:channels.labels.rules')),
        h('span', {}, ...this.#rules.map((box) => h('label', {}, box, ` ${ruleName(box.value)} `))),
      ),
      h('div', {}, h('button', { type: 'submit' }, t('settings:channels.save'))),
    );
    form.append(fieldset);
    this.#inputs.get('kind')?.addEventListener('change', () => this.#showKind());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#add();
    });
    this.root = h(
      'section',
      { class: 'channels entries', 'aria-label': t('settings:channels.title') },
      h('h2', {}, t('settings:channels.title')),
      h('p', { class: 'sub' }, t('settings:channels.intro')),
      this.#kept,
      this.#body,
      form,
      this.#status,
    );
    this.#showKind();
    // Another window or the CLI may change the channels; listening stops once this page is left.
    const off = api.on('settings:changed', () => {
      if (this.root.isConnected) void this.load();
      else off();
    });
  }

  async load(): Promise<void> {
    try {
      const list = await this.#api.invoke('channels:list', null);
      if (!isChannelList(list)) throw new Error(t('settings:channels.listUnreadable'));
      this.#list = list;
    } catch (error) {
      this.#status.textContent = t('settings:channels.cannotList', { why: (error as Error).message });
    }
    this.#render();
  }

  #field(field: Field): HTMLElement {
    const id = `channel-${field}`;
    const input = h('input', {
      id,
      type: SECRET.has(field) ? 'password' : 'text',
      autocomplete: 'off',
      inputmode: field === 'smtpPort' ? 'numeric' : undefined,
    });
    this.#inputs.set(field, input);
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, t(`settings:channels.labels.${field}`)),
      input,
    );
  }

  /** `words`: what each option shows; the value stays the schema's word. */
  #select(field: Field, options: readonly string[], words: (o: string) => string = (o) => o): HTMLElement {
    const id = `channel-${field}`;
    const select = h('select', { id }, ...options.map((o) => h('option', { value: o }, words(o))));
    this.#inputs.set(field, select);
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, t(`settings:channels.labels.${field}`)),
      select,
    );
  }

  #value(field: Field): string {
    return this.#inputs.get(field)?.value.trim() ?? '';
  }

  #kind(): ChannelKind {
    const kind = this.#value('kind');
    return (CHANNEL_KINDS as readonly string[]).includes(kind) ? (kind as ChannelKind) : 'webhook';
  }

  #showKind(): void {
    const kind = this.#kind();
    for (const [field, row] of this.#rows) row.hidden = !KIND_FIELDS[kind].includes(field);
    const url = this.#inputs.get('url');
    if (url instanceof HTMLInputElement) url.placeholder = URL_HINT[kind];
  }

  #request(): ChannelAddRequest {
    const kind = this.#kind();
    const shown = KIND_FIELDS[kind];
    const given = (field: KindField): string | undefined =>
      shown.includes(field) && this.#value(field) !== '' ? this.#value(field) : undefined;
    const secrets: Partial<Record<ChannelSecretField, string>> = {};
    for (const field of ['url', 'secret', 'token', 'password'] as const) {
      const value = given(field);
      if (value !== undefined) secrets[field] = value;
    }
    const port = given('smtpPort');
    const keyword = given('keyword');
    const smtp = {
      host: given('smtpHost'),
      port: port === undefined ? undefined : Number(port),
      security: given('security'),
      user: given('user'),
      from: given('from'),
      to: words(given('to') ?? ''),
    };
    return {
      name: this.#value('name'),
      kind,
      secrets,
      ...(keyword === undefined ? {} : { keyword }),
      ...(kind === 'email'
        ? { smtp: Object.fromEntries(Object.entries(smtp).filter(([, v]) => v !== undefined)) }
        : {}),
      minSeverity: this.#value('minSeverity') === 'critical' ? 'critical' : 'warning',
      stacks: words(this.#value('stacks')),
      rules: this.#rules.filter((box) => box.checked).map((box) => box.value as AlertRule),
    };
  }

  async #add(): Promise<void> {
    const request = this.#request();
    try {
      const result = await this.#api.invoke('channels:add', request);
      if (!result.ok) {
        this.#status.textContent = t('settings:channels.notSaved', { why: result.error });
        return;
      }
      // The secrets were sent once; nothing of them stays in the page.
      for (const [field, input] of this.#inputs)
        if (field !== 'kind' && input instanceof HTMLInputElement) input.value = '';
      for (const box of this.#rules) box.checked = false;
      this.#status.textContent = t('settings:channels.saved', { name: request.name });
    } catch (error) {
      this.#status.textContent = t('settings:channels.notSaved', { why: (error as Error).message });
    }
    await this.load();
  }

  #render(): void {
    this.#kept.textContent =
      this.#list.secretsKept === ''
        ? ''
        : t('settings:channels.kept', { where: keptWhere(this.#list.secretsKept) });
    const rows = this.#list.channels.map((c) => this.#row(c));
    this.#body.replaceChildren();
    append(this.#body, [
      rows.length === 0
        ? h('p', { class: 'empty' }, t('settings:channels.none'))
        : h(
            'table',
            { class: 'snapshot channel-list' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...HEADS.map((head) => h('th', {}, t(`settings:channels.heads.${head}`))),
                h('th', {}),
              ),
            ),
            h('tbody', {}, ...rows),
          ),
    ]);
  }

  #row(c: ChannelView): HTMLElement {
    const result = h('output', { class: 'test-result channel-test-result', 'aria-live': 'polite' });
    const test = h('button', { type: 'button', class: 'test-channel' }, t('settings:channels.test'));
    test.addEventListener('click', () => {
      result.textContent = t('settings:channels.testing');
      result.removeAttribute('data-ok');
      this.#api.invoke('channels:test', { name: c.name }).then(
        (answer) =>
          showTest(
            result,
            isTestResult(answer)
              ? answer
              : { outcome: 'not-sent', why: t('settings:channels.unreadable'), answer: '' },
          ),
        (error: unknown) =>
          showTest(result, { outcome: 'not-sent', why: (error as Error).message, answer: '' }),
      );
    });
    const remove = h('button', { type: 'button', class: 'remove-channel' }, t('settings:channels.remove'));
    remove.addEventListener('click', () => {
      // Two clicks: a channel and its secrets are not lost to one stray click.
      if (remove.dataset['confirm'] === undefined) {
        remove.dataset['confirm'] = 'yes';
        remove.textContent = t('settings:channels.removeSure', { name: c.name });
        return;
      }
      void this.#remove(c.name);
    });
    return h(
      'tr',
      { class: 'channel', 'data-channel': c.name },
      h('td', {}, c.name),
      h('td', {}, isOneOf(CHANNEL_KINDS, c.kind) ? t(`settings:channels.kinds.${c.kind}`) : c.kind),
      h('td', { class: 'channel-target' }, c.target),
      h('td', {}, filterText(c)),
      statusCell(c),
      h('td', {}, test, ' ', remove, result),
    );
  }

  async #remove(name: string): Promise<void> {
    try {
      const result = await this.#api.invoke('channels:remove', { name });
      this.#status.textContent = result.ok
        ? t('settings:channels.removed', { name })
        : t('settings:channels.notSaved', { why: result.error });
    } catch (error) {
      this.#status.textContent = t('settings:channels.notSaved', { why: (error as Error).message });
    }
    await this.load();
  }
}
