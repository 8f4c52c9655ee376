/**
 * Reads the hub connection and the current server from JupyterLab's page config, which
 * jupyterhub-singleuser fills in (`hubHost`, `hubPrefix`, `hubUser`, `hubServerUser`,
 * `hubServerName`, `token`). The only client file that touches JupyterLab and the DOM.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import { readCookie } from './cookies';
import type { IHubConnection } from './request';

/** Default time one hub request may take, in milliseconds. */
export const DEFAULT_HUB_TIMEOUT_MS = 30_000;

/** The hub connection of this page. Values are read now; the XSRF cookie on every request. */
export function connectionFromPageConfig(options: { timeoutMs?: number } = {}): IHubConnection {
  return {
    hubHost: PageConfig.getOption('hubHost'),
    hubPrefix: PageConfig.getOption('hubPrefix'),
    token: PageConfig.getToken(),
    xsrfToken: () => readCookie(document.cookie, '_xsrf'),
    fetch: (url, init) => window.fetch(url, init),
    timeoutMs: options.timeoutMs ?? DEFAULT_HUB_TIMEOUT_MS,
  };
}

/** The server this JupyterLab runs in: its owner (`''` when unknown) and its name (`''` for the default server). */
export function currentServerFromPageConfig(): { user: string; serverName: string } {
  return {
    user: PageConfig.getOption('hubServerUser') || PageConfig.getOption('hubUser'),
    serverName: PageConfig.getOption('hubServerName'),
  };
}
