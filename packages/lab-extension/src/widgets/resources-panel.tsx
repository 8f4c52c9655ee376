/**
 * The Resources side panel: a heading, a toolbar with a refresh button, and the React view of a
 * {@link ResourcesModel}. It refreshes the model whenever it is shown and disposes it with itself.
 */
import type { ITranslator } from '@jupyterlab/translation';
import { ReactWidget, SidePanel, ToolbarButton, refreshIcon } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';
import * as React from 'react';
import { ResourcesView } from '../components/resources-view';
import { resourcesIcon } from '../icons';
import type { ResourcesModel } from '../models/resources-model';

/** The widget id of the panel; its side tab carries it as `data-id`. */
export const RESOURCES_PANEL_ID = 'clusterhub-resources';

/** Constructor options of {@link ResourcesPanel}. */
export interface IResourcesPanelOptions {
  model: ResourcesModel;
  translator: ITranslator;
}

/** The Resources side panel. */
export class ResourcesPanel extends SidePanel {
  /** @param options The model to show and the translator. */
  constructor(options: IResourcesPanelOptions) {
    super({ content: new Panel(), translator: options.translator });
    const trans = options.translator.load('clusterhub');
    this._model = options.model;
    this.id = RESOURCES_PANEL_ID;
    this.addClass('jp-hub-ResourcesPanel');
    this.title.icon = resourcesIcon;
    this.title.caption = trans.__('Resources');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', trans.__('Hub resources of this server'));

    const heading = new Widget({ node: document.createElement('h2') });
    heading.node.textContent = trans.__('Resources');
    heading.addClass('jp-hub-ResourcesPanel-heading');
    this.header.addWidget(heading);

    this.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: trans.__('Refresh from the hub'),
        onClick: () => void this._model.refresh(),
      }),
    );

    const body = ReactWidget.create(<ResourcesView model={this._model} trans={trans} />);
    body.addClass('jp-hub-ResourcesPanel-body');
    this.addWidget(body);
  }

  /** The model shown. */
  get model(): ResourcesModel {
    return this._model;
  }

  /** Disposes the panel and its model. */
  override dispose(): void {
    if (this.isDisposed) return;
    this._model.dispose();
    super.dispose();
  }

  /** Refreshes when shown: the poll stands by while the panel is hidden. */
  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this._model.refresh();
  }

  private readonly _model: ResourcesModel;
}
