/**
 * The Resources side panel: what the hub says about this server (profile, kind, resources, price,
 * state). Activation only wires things up; the panel asks the hub once it is shown.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { currentServerFromPageConfig } from '../client/page-connection';
import { CommandIDs } from '../commands';
import { resourcesIcon } from '../icons';
import { DEFAULT_REFRESH_INTERVAL_SECONDS, ResourcesModel } from '../models/resources-model';
import { IHubClient } from '../tokens';
import { RESOURCES_PANEL_ID, ResourcesPanel } from '../widgets/resources-panel';

/** The plugin id; its settings schema is `schema/resources.json`. */
const PLUGIN_ID = '@clusterhub/lab-extension:resources';

/** Rank of the panel in the left area (after the core panels). */
const PANEL_RANK = 900;

/**
 * Adds the panel to the left area, restores it, registers `hub:open-resources` and applies the
 * refresh-interval setting when it loads. Never waits for the network or the settings.
 */
function activateResources(
  app: JupyterFrontEnd,
  client: IHubClient,
  translator: ITranslator | null,
  restorer: ILayoutRestorer | null,
  palette: ICommandPalette | null,
  settingRegistry: ISettingRegistry | null,
): void {
  const translation = translator ?? nullTranslator;
  const trans = translation.load('clusterhub');
  const { user, serverName } = currentServerFromPageConfig();

  let panel: ResourcesPanel | null = null;
  const model = new ResourcesModel({
    client,
    user,
    serverName,
    standby: () => panel === null || !panel.isVisible || document.visibilityState === 'hidden',
  });
  panel = new ResourcesPanel({ model, translator: translation });
  const panelId = panel.id;
  app.shell.add(panel, 'left', { rank: PANEL_RANK, type: 'Resources' });
  restorer?.add(panel, RESOURCES_PANEL_ID);

  app.commands.addCommand(CommandIDs.openResources, {
    label: trans.__('Show Resources'),
    caption: trans.__('Show the hub resources of this server'),
    icon: (args) => (args['isPalette'] ? undefined : resourcesIcon),
    execute: () => app.shell.activateById(panelId),
  });
  palette?.addItem({ command: CommandIDs.openResources, category: trans.__('Hub') });

  model.start();

  if (settingRegistry) {
    settingRegistry
      .load(PLUGIN_ID)
      .then((settings) => {
        const apply = (): void => {
          const seconds = settings.get('refreshIntervalSeconds').composite;
          model.setRefreshIntervalSeconds(typeof seconds === 'number' ? seconds : DEFAULT_REFRESH_INTERVAL_SECONDS);
        };
        apply();
        settings.changed.connect(apply);
      })
      .catch((reason: unknown) => {
        console.warn(`${PLUGIN_ID}: settings not loaded, using the defaults`, reason);
      });
  }
}

/** The Resources panel plugin. */
export const resourcesPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Shows the hub resources of this server: profile, kind, resources, price per hour and state.',
  autoStart: true,
  requires: [IHubClient],
  optional: [ITranslator, ILayoutRestorer, ICommandPalette, ISettingRegistry],
  activate: activateResources,
};
