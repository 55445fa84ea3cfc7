/**
 * What the rest of the app needs from a desktop notification system. node-notifier backs it in the
 * headless CLI; the Electron shell supplies its own, with click handling.
 */

export type Urgency = 'low' | 'normal' | 'critical';

export interface DesktopNotification {
  readonly title: string;
  readonly body: string;
  readonly urgency: Urgency;
  /** What the notification is about (the alert key), so a click can be routed back to it. */
  readonly id?: string;
}

export type NotifyResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface Notifier {
  /** Null until checked; false once the platform turned out unable to show notifications. */
  readonly available: boolean | null;
  /** Finds out whether notifications can be shown, once; later calls return the same answer. */
  check(): Promise<boolean>;
  /** Never rejects: a notification that cannot be shown is reported, not thrown. */
  notify(notification: DesktopNotification): Promise<NotifyResult>;
}
