import type { AlertLog } from '../alerts/log.ts';
import { saveAlertLog } from '../alerts/log-file.ts';
import type { Alert } from '../alerts/types.ts';
import { alertText } from '../alerts/alert-text.ts';
import { t } from '../i18n/index.ts';
import { alertNotifier } from './alert-notifier.ts';
import type { Notifier } from './notifier.ts';

/** What happens to alerts once the engine has raised them: kept on disk, and shown on the desktop. */
export interface AlertRecorder {
  record(alerts: readonly Alert[], options: { readonly notify: boolean }): void;
}

export interface AlertRecorderOptions {
  /** The engine's log, already holding the new alerts. */
  readonly log: AlertLog;
  readonly logPath?: string;
  readonly notifier?: Notifier;
  warn(text: string): void;
}

/** One place for the CLI and the monitor service: one log write per batch, muted alerts not shown. */
export function createAlertRecorder(options: AlertRecorderOptions): AlertRecorder {
  const desktop =
    options.notifier === undefined
      ? null
      : alertNotifier(options.notifier, (alert, error) =>
          options.warn(t('notify:problem.cannotShow', { message: alertText(alert), error })),
        );
  return {
    record(alerts, { notify }) {
      if (alerts.length === 0) return;
      if (options.logPath !== undefined) {
        try {
          saveAlertLog(options.logPath, options.log);
        } catch (error) {
          options.warn(
            t('notify:problem.cannotSave', { path: options.logPath, error: (error as Error).message }),
          );
        }
      }
      if (notify) for (const alert of alerts) desktop?.notify(alert);
    },
  };
}
