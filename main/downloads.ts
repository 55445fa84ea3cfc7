/**
 * Exports from the page (CSV, JSON, PNG) are downloads. Electron asks where to save each one in
 * its own dialog, parented to our window (a sheet on macOS), when the `will-download` handler
 * sets no path (ElectronDownloadManagerDelegate::OnDownloadTargetDetermined). The dialog takes the
 * focus, and the popover hides on blur: the sheet would go with it. So the window is held open
 * from `will-download` until the download is done, cancelled or interrupted.
 */
import { join } from 'node:path';
import type { DownloadItem, Session } from 'electron';

export type DownloadSession = Pick<Session, 'on'>;
export type Download = Pick<DownloadItem, 'getFilename' | 'setSaveDialogOptions' | 'once'>;

export interface DownloadOptions {
  readonly session: DownloadSession;
  /** The folder the dialog opens in: the user's Downloads. */
  readonly folder: string;
  readonly holdOpen: () => () => void;
}

export function saveDownloadsWithDialog(options: DownloadOptions): void {
  options.session.on('will-download', (_event, item: Download) => {
    item.setSaveDialogOptions({
      title: 'Save export',
      defaultPath: join(options.folder, item.getFilename()),
    });
    item.once('done', options.holdOpen());
  });
}
