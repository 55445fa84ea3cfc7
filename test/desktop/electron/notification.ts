/**
 * `Notification` on Linux. Electron hands it to libnotify, which sends Notify over the session
 * bus; the stand-in sends the same call with notify-send (libnotify too), named after the app, so
 * a test sees it on D-Bus. A test can make every notification fail: then `failed` is emitted, as
 * libnotify_notification.cc does when the server refuses (with an empty message there).
 *
 * A click: Electron gives each notification a "default" action ("View") when the server has the
 * `actions` capability, and emits `click` when the server reports that action invoked
 * (libnotify_notification.cc, OnNotificationView; docs/api/notification.md, "Event: 'click'",
 * "Emitted when the notification is clicked by the user"). notify-send would have to wait for the
 * action, so the call carries none: the test clicks a shown notification, and `click` is emitted
 * as Electron emits it, until the notification was closed.
 */
import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { NotificationConstructorOptions } from 'electron';
import { app, electronEvent } from './app.ts';
import { world } from './world.ts';

export class Notification extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }

  readonly options: NotificationConstructorOptions;
  #closed = false;

  constructor(options: NotificationConstructorOptions = {}) {
    super();
    this.options = options;
  }

  show(): void {
    const failure = world.notificationFailure;
    if (failure !== null) {
      setImmediate(() => this.emit('failed', electronEvent(), failure));
      return;
    }
    const { title = '', body = '', urgency = 'normal', timeoutType } = this.options;
    const args = [
      `--app-name=${app.name}`,
      `--urgency=${urgency}`,
      ...(timeoutType === 'never' ? ['--expire-time=0'] : []),
      title,
      body,
    ];
    execFile('notify-send', args, (error) => {
      if (error !== null) {
        this.emit('failed', electronEvent(), '');
        return;
      }
      this.#closed = false;
      world.notifications.push({ title, body, urgency, click: () => this.#click() });
      this.emit('show', electronEvent());
    });
  }

  close(): void {
    this.#closed = true;
    this.emit('close', electronEvent());
  }

  #click(): void {
    if (this.#closed) throw new Error(`the notification "${this.options.title ?? ''}" is closed`);
    world.userAction(() => this.emit('click', electronEvent()));
  }
}
