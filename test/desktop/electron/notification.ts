/**
 * `Notification` on Linux. Electron hands it to libnotify, which sends Notify over the session
 * bus; the stand-in sends the same call with notify-send (libnotify too), named after the app, so
 * a test sees it on D-Bus. A test can make every notification fail: then `failed` is emitted, as
 * libnotify_notification.cc does when the server refuses (with an empty message there).
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
      world.notifications.push({ title, body, urgency });
      this.emit('show', electronEvent());
    });
  }

  close(): void {
    this.emit('close', electronEvent());
  }
}
