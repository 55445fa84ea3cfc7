/**
 * Alerts to a Notifier, in the shape the monitor service calls (`notify(alert)`, fire and forget).
 * Muted alerts are skipped; a failed delivery is reported, except when the notifier is known to
 * be unavailable, which its own one-time message has already said.
 */
import type { Alert } from '../alerts/types.ts';
import { notificationFor } from './format.ts';
import type { Notifier } from './notifier.ts';

export interface AlertNotifier {
  notify(alert: Alert): void;
}

export function alertNotifier(
  notifier: Notifier,
  onFailure: (alert: Alert, error: string) => void,
): AlertNotifier {
  return {
    notify(alert) {
      const notification = notificationFor(alert);
      if (notification === null) return;
      void notifier.notify(notification).then((result) => {
        if (!result.ok && notifier.available !== false) onFailure(alert, result.error);
      });
    },
  };
}
