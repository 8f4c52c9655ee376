/**
 * Provides {@link IHubClient}: the typed hub REST client, connected through Lab's page config.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { HubClient } from '../client/hub-client';
import { connectionFromPageConfig } from '../client/page-connection';
import { IHubClient } from '../tokens';

/** Creates the client; nothing is fetched here. */
function activateHubClient(_app: JupyterFrontEnd): IHubClient {
  return new HubClient(connectionFromPageConfig());
}

/** The hub client plugin. */
export const hubClientPlugin: JupyterFrontEndPlugin<IHubClient> = {
  id: '@clusterhub/lab-extension:hub-client',
  description: 'Provides a typed client for the REST API of the hub that serves this JupyterLab.',
  autoStart: true,
  provides: IHubClient,
  activate: activateHubClient,
};
