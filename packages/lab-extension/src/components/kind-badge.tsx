/**
 * The badge that names a profile's family: CPU, MIG slice or whole GPU.
 */
import type { ProfileConfig } from '@clusterhub/shared';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

/** Props of {@link KindBadge}. */
export interface IKindBadgeProps {
  kind: ProfileConfig['kind'];
  trans: TranslationBundle;
}

/** A short label for a profile kind, translated. */
export function kindLabel(kind: ProfileConfig['kind'], trans: TranslationBundle): string {
  switch (kind) {
    case 'cpu':
      return trans.__('CPU');
    case 'mig':
      return trans.__('MIG');
    case 'gpu':
      return trans.__('GPU');
  }
}

/** A longer description of a profile kind, for the badge's tooltip. */
function kindTitle(kind: ProfileConfig['kind'], trans: TranslationBundle): string {
  switch (kind) {
    case 'cpu':
      return trans.__('CPU only, no GPU');
    case 'mig':
      return trans.__('A MIG slice of a GPU');
    case 'gpu':
      return trans.__('One or more whole GPUs');
  }
}

/** The kind badge, e.g. `GPU`, coloured per kind by `jp-hub-KindBadge-<kind>`. */
export function KindBadge(props: IKindBadgeProps): JSX.Element {
  return (
    <span
      className={`jp-hub-KindBadge jp-hub-KindBadge-${props.kind}`}
      data-kind={props.kind}
      title={kindTitle(props.kind, props.trans)}
    >
      {kindLabel(props.kind, props.trans)}
    </span>
  );
}
