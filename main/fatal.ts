/**
 * The app could not start. `dialog.showMessageBox` returns at once, and `app.quit()` would end
 * the process before the box is drawn; `showErrorBox` is modal and returns once the user has read
 * it. Then `app.exit`: whatever had started is ended with the process, no `before-quit`.
 */
import type { App, Dialog } from 'electron';

export interface FatalOptions {
  readonly dialog: Pick<Dialog, 'showErrorBox'>;
  readonly app: Pick<App, 'exit'>;
  readonly warn: (text: string) => void;
}

export function failStart(options: FatalOptions, error: Error): void {
  options.warn(`Dify Monitor could not start: ${error.message}`);
  options.dialog.showErrorBox('Dify Monitor could not start', error.message);
  options.app.exit(1);
}
