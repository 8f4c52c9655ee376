/**
 * Shows the hub culler's warnings as JupyterLab notifications: "This server will be stopped at
 * 14:20 UTC …" with a Keep alive button where a keep-alive helps, taken away when the warning goes;
 * and, once, what the culler did on an earlier run ("Your GPU server was moved to CPU at 14:20 UTC
 * …; your files are as you left them").
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { CullWarningModel } from '@clusterhub/shared';
import { currentServerFromPageConfig } from '../client/page-connection';
import { CullingModel } from '../models/culling-model';
import { IHubClient } from '../tokens';

/** The plugin id. */
const PLUGIN_ID = '@clusterhub/lab-extension:culling';

/** The browser's storage when it can be used (private modes may refuse it). */
function browserStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** Starts watching; never holds up Lab's start (the user's name may need a request). */
function activateCulling(_app: JupyterFrontEnd, client: IHubClient, translator: ITranslator | null): void {
  watchCulling(client, translator).catch((reason: unknown) => console.warn(`${PLUGIN_ID}: not watching the culler`, reason));
}

async function watchCulling(client: IHubClient, translator: ITranslator | null): Promise<void> {
  const trans = (translator ?? nullTranslator).load('clusterhub');
  const page = currentServerFromPageConfig();
  const user = page.user || (await client.getCurrentUser()).name;
  const seen = browserStorage();
  const model = new CullingModel({ client, user, serverName: page.serverName, ...(seen ? { seen } : {}) });
  let shown: string | null = null;

  const show = (warning: CullWarningModel | null): void => {
    if (shown !== null) Notification.dismiss(shown);
    shown = null;
    if (warning === null) return;
    const actions: Notification.IAction[] = warning.keep_alive
      ? [
          {
            label: trans.__('Keep alive'),
            caption: trans.__('Tell the hub you are still using this server'),
            displayType: 'accent',
            callback: () => {
              model.keepAlive().catch((reason: unknown) => {
                Notification.error(trans.__('The hub did not keep the server: %1', reason instanceof Error ? reason.message : String(reason)), { autoClose: false });
              });
            },
          },
        ]
      : [];
    shown = Notification.warning(warning.message, { autoClose: false, actions });
  };

  model.warningChanged.connect((_, warning) => show(warning));
  model.lastActionToShow.connect((_, last) => {
    if (last.message) Notification.info(last.message, { autoClose: false });
  });
  model.start();
}

/** The culling notifications plugin. */
export const cullingPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: "Shows the hub culler's warnings (with a Keep alive button) and its last action on this server as notifications.",
  autoStart: true,
  requires: [IHubClient],
  optional: [ITranslator],
  activate: activateCulling,
};
