/**
 * @clusterhub/lab-extension: JupyterLab plugins that show what the hub knows about this server.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { cullingPlugin } from './plugins/culling';
import { hubClientPlugin } from './plugins/hub-client';
import { resourcesPlugin } from './plugins/resources';

export { IHubClient } from './tokens';
export type { IHubCallOptions } from './tokens';
export * from './client/errors';
export type { IHubCulling, IHubIdentity, IHubProfile, IHubServer, IHubUser } from './client/hub-models';

/** Every plugin of the extension, in activation order. */
const plugins: JupyterFrontEndPlugin<unknown>[] = [hubClientPlugin, resourcesPlugin, cullingPlugin];

export default plugins;
