/**
 * The engines part of Settings: the saved hosts with their live state, Test connection, and adding,
 * editing or removing plain tcp:// and ssh:// hosts. Files (TLS certificates, SSH keys) and sockets
 * are the CLI's: a page never names a file, so such hosts are shown here but changed there.
 */
import type { DifyMonitorApi, HostList, HostTestResult, HostView } from '../src/api.ts';
import { checkRemoteUrl } from '../src/hosts/remote-url.ts';
import { HOST_STATES, type HostState } from '../src/model.ts';
import type { FieldError } from '../src/settings/schema.ts';
import { t } from '../src/i18n/index.ts';
import { isOneOf } from '../src/model.ts';
import { append, h } from './dom.ts';
import { formatBytes } from './format.ts';

const KINDS: readonly HostView['kind'][] = ['tcp', 'tls', 'ssh', 'socket'];

function isHostList(v: unknown): v is HostList {
  if (typeof v !== 'object' || v === null) return false;
  const list = v as Record<string, unknown>;
  return (
    typeof list['live'] === 'boolean' &&
    Array.isArray(list['hosts']) &&
    list['hosts'].every(
      (host: unknown) =>
        typeof host === 'object' &&
        host !== null &&
        typeof (host as HostView).name === 'string' &&
        typeof (host as HostView).url === 'string' &&
        typeof (host as HostView).editable === 'boolean' &&
        KINDS.includes((host as HostView).kind),
    )
  );
}

function stateWord(state: string): string {
  return isOneOf(HOST_STATES, state) ? t(`settings:hosts.state.${state}`) : state;
}

/** What Test connection says: the engine, or the exact error with the state it leads to. */
function describeTest(result: HostTestResult): string {
  if (result.ok) {
    return t('settings:hosts.engineInfo', {
      product: result.product,
      version: result.version,
      api: result.apiVersion,
      os: result.os,
      cpus: result.cpus,
      memory: formatBytes(result.memTotalBytes),
    });
  }
  return t('settings:hosts.testFailed', { state: stateWord(result.state), why: result.message });
}

export class HostsPanel {
  readonly root: HTMLElement;
  readonly #api: DifyMonitorApi;
  readonly #states: () => ReadonlyMap<string, HostState>;
  #list: HostList = { hosts: [], live: true };
  /** The saved host being edited, or null while adding a new one. */
  #editing: string | null = null;
  readonly #body = h('div');
  readonly #name = h('input', {
    id: 'host-name',
    type: 'text',
    autocomplete: 'off',
    'aria-describedby': 'host-name-error',
  });
  readonly #url = h('input', {
    id: 'host-url',
    type: 'text',
    autocomplete: 'off',
    placeholder: t('settings:hosts.urlHint'),
    'aria-describedby': 'host-url-error',
  });
  readonly #nameError = h('span', { id: 'host-name-error', class: 'field-error' });
  readonly #urlError = h('span', { id: 'host-url-error', class: 'field-error' });
  readonly #warning = h(
    'p',
    { class: 'banner error host-warning', hidden: true },
    t('settings:hosts.plainTcp'),
  );
  readonly #result = h('output', { class: 'test-result', 'aria-live': 'polite', for: 'host-url' });
  readonly #status = h('p', { class: 'hosts-status', role: 'status', 'aria-live': 'polite' });
  readonly #legend = h('legend', {}, t('settings:hosts.add'));

  constructor(api: DifyMonitorApi, states: () => ReadonlyMap<string, HostState>) {
    this.#api = api;
    this.#states = states;
    const test = h('button', { type: 'button', class: 'test-new' }, t('settings:hosts.test'));
    const cancel = h('button', { type: 'button', class: 'cancel-edit' }, t('settings:hosts.cancel'));
    const form = h(
      'form',
      { class: 'host-form entry-form', novalidate: true, 'aria-label': t('settings:hosts.form') },
      h(
        'fieldset',
        {},
        this.#legend,
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'host-name' }, t('settings:hosts.name')),
          this.#name,
          this.#nameError,
        ),
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'host-url' }, t('settings:hosts.address')),
          this.#url,
          this.#urlError,
        ),
        this.#warning,
        h('div', {}, test, ' ', h('button', { type: 'submit' }, t('settings:hosts.save')), ' ', cancel),
        this.#result,
      ),
    );
    this.#url.addEventListener('input', () => this.#checkUrl());
    test.addEventListener('click', () => {
      const checked = this.#checkUrl();
      if (checked !== null) this.#test({ url: checked }, this.#result);
    });
    cancel.addEventListener('click', () => this.#edit(null));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#saveForm();
    });
    this.root = h(
      'section',
      { class: 'hosts entries', 'aria-label': t('settings:hosts.title') },
      h('h2', {}, t('settings:hosts.title')),
      h('p', { class: 'sub' }, t('settings:hosts.cliNote')),
      this.#body,
      form,
      this.#status,
    );
  }

  async load(): Promise<void> {
    try {
      const list = await this.#api.invoke('hosts:list', null);
      if (!isHostList(list)) throw new Error(t('settings:hosts.unreadable'));
      this.#list = list;
    } catch (error) {
      this.#status.textContent = t('settings:hosts.cannotList', { why: (error as Error).message });
    }
    this.refresh();
  }

  /** Redraws the list with the latest host states. */
  refresh(): void {
    const states = this.#states();
    const rows = this.#list.hosts.map((host) => this.#row(host, states.get(host.name)));
    this.#body.replaceChildren();
    append(this.#body, [
      this.#list.live ? null : h('p', { class: 'banner info' }, t('settings:hosts.pinned')),
      rows.length === 0
        ? h('p', { class: 'empty' }, t('settings:hosts.none'))
        : h(
            'table',
            { class: 'snapshot host-list' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, t('settings:hosts.name')),
                h('th', {}, t('settings:hosts.address')),
                h('th', {}, t('settings:hosts.kindHead')),
                h('th', {}, t('settings:hosts.stateHead')),
                h('th', {}),
              ),
            ),
            h('tbody', {}, ...rows),
          ),
    ]);
  }

  #row(host: HostView, state: HostState | undefined): HTMLElement {
    const result = h('output', { class: 'test-result', 'aria-live': 'polite' });
    const test = h('button', { type: 'button', class: 'test-saved' }, t('settings:hosts.testSaved'));
    test.addEventListener('click', () => this.#test({ name: host.name }, result));
    const actions: HTMLElement[] = [test];
    if (host.editable) {
      const edit = h('button', { type: 'button', class: 'edit-host' }, t('settings:hosts.editSaved'));
      edit.addEventListener('click', () => this.#edit(host));
      const remove = h('button', { type: 'button', class: 'remove-host' }, t('settings:hosts.remove'));
      remove.addEventListener('click', () => {
        // Two clicks: a host is not lost to one stray click.
        if (remove.dataset['confirm'] === undefined) {
          remove.dataset['confirm'] = 'yes';
          remove.textContent = t('settings:hosts.removeSure', { name: host.name });
          return;
        }
        this.#save(
          this.#list.hosts.filter((h) => h.name !== host.name).map(({ name, url }) => ({ name, url })),
        );
      });
      actions.push(edit, remove);
    } else {
      actions.push(h('span', { class: 'sub' }, t('settings:hosts.cliAdded')));
    }
    const word = state === undefined ? t('settings:hosts.notWatched') : stateWord(state.state);
    return h(
      'tr',
      { class: 'host', 'data-host': host.name, 'data-state': state?.state ?? 'none' },
      h('td', {}, host.name),
      h('td', {}, host.url),
      h('td', {}, t(`settings:hosts.kind.${host.kind}`)),
      h(
        'td',
        { class: 'host-state' },
        h('span', { class: `badge ${state?.state === 'up' ? 'ok' : 'warning'}` }, word),
        state === undefined || state.state === 'up' ? null : h('div', { class: 'sub' }, state.message),
        host.warning === undefined ? null : h('div', { class: 'sub host-warning' }, `⚠ ${host.warning}`),
      ),
      h('td', {}, ...actions, result),
    );
  }

  #edit(host: HostView | null): void {
    this.#editing = host?.name ?? null;
    this.#legend.textContent =
      host === null ? t('settings:hosts.add') : t('settings:hosts.edit', { name: host.name });
    this.#name.value = host?.name ?? '';
    this.#url.value = host?.url ?? '';
    this.#result.textContent = '';
    this.#showErrors([]);
    this.#checkUrl();
    this.#name.focus();
  }

  /** The address as it will be saved, or null with the reason next to the field. */
  #checkUrl(): string | null {
    const checked = checkRemoteUrl(this.#url.value);
    this.#warning.hidden = !(checked.ok && checked.transport === 'tcp');
    if (this.#url.value.trim() === '') {
      this.#urlError.textContent = '';
      return null;
    }
    this.#urlError.textContent = checked.ok ? '' : checked.error;
    return checked.ok ? checked.url : null;
  }

  #test(request: { name: string } | { url: string }, out: HTMLElement): void {
    out.textContent = t('settings:hosts.connecting');
    out.removeAttribute('data-ok');
    this.#api.invoke('hosts:test', request).then(
      (result) => {
        out.textContent = describeTest(result);
        out.dataset['ok'] = String(result.ok);
      },
      (error: unknown) => {
        out.textContent = (error as Error).message;
        out.dataset['ok'] = 'false';
      },
    );
  }

  #saveForm(): void {
    const name = this.#name.value.trim();
    const url = this.#checkUrl() ?? this.#url.value.trim();
    const others = this.#list.hosts
      .filter((host) => host.name !== this.#editing)
      .map(({ name: n, url: u }) => ({ name: n, url: u }));
    const index =
      this.#editing === null ? others.length : this.#list.hosts.findIndex((h) => h.name === this.#editing);
    others.splice(index, 0, { name, url });
    this.#save(others, index);
  }

  #save(hosts: readonly { name: string; url: string }[], formIndex?: number): void {
    this.#api.invoke('settings:set', { hosts }).then(
      (result) => {
        if (!result.ok) {
          this.#showErrors(Array.isArray(result.errors) ? result.errors : [], formIndex);
          return;
        }
        this.#showErrors([]);
        this.#status.textContent = t('settings:saved');
        if (formIndex !== undefined) this.#edit(null);
        void this.load();
      },
      (error: unknown) => this.#showErrors([{ path: '/hosts', message: (error as Error).message }]),
    );
  }

  #showErrors(errors: readonly FieldError[], formIndex?: number): void {
    this.#nameError.textContent = '';
    this.#urlError.textContent = '';
    const general: string[] = [];
    for (const error of errors) {
      const field =
        formIndex === undefined ? null : new RegExp(`^/hosts/${formIndex}/(name|url)$`).exec(error.path)?.[1];
      const el = field === 'name' ? this.#nameError : field === 'url' ? this.#urlError : null;
      if (el === null) general.push(error.message);
      else el.textContent = el.textContent === '' ? error.message : `${el.textContent}; ${error.message}`;
    }
    this.#status.textContent =
      errors.length === 0 ? '' : t('settings:hosts.notSaved', { general: general.join(' ') });
  }
}
