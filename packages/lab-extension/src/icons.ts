/**
 * The extension's icons. Paths use JupyterLab's `jp-icon3` class so that themes recolour them.
 */
import { LabIcon } from '@jupyterlab/ui-components';

/** A processor chip: the Resources panel's tab icon. */
export const resourcesIcon = new LabIcon({
  name: '@clusterhub/lab-extension:resources',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M9 9h6v6H9z"/>
    <path d="M7 4h10a3 3 0 0 1 3 3v10a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3V7a3 3 0 0 1 3-3zm0 2a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h10a1 1 0 0 0 1-1V7a1 1 0 0 0-1-1z"/>
    <path d="M8 1h2v3H8zM14 1h2v3h-2zM8 20h2v3H8zM14 20h2v3h-2zM1 8h3v2H1zM1 14h3v2H1zM20 8h3v2h-3zM20 14h3v2h-3z"/>
  </g>
</svg>`,
});
