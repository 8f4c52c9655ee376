/**
 * How a failed refresh is shown: a translated headline for the kind of failure, and the hub's own
 * message (or the client's description) below it.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { HubNetworkError, HubNotConfiguredError, HubRequestError, HubResponseShapeError } from '../client/errors';

/** Props of {@link ErrorNotice}. */
export interface IErrorNoticeProps {
  error: Error;
  trans: TranslationBundle;
  /** `stale` when earlier data is still shown below the notice. */
  variant: 'blocking' | 'stale';
}

/** The translated headline for an error. */
export function errorHeadline(error: Error, trans: TranslationBundle): string {
  if (error instanceof HubRequestError) {
    if (error.status === 401 || error.status === 403) return trans.__('The hub refused the request');
    if (error.status >= 500) return trans.__('The hub ran into a problem');
    return trans.__('The hub could not answer the request');
  }
  if (error instanceof HubNetworkError) return trans.__('The hub did not answer');
  if (error instanceof HubResponseShapeError) return trans.__('The hub sent an unexpected answer');
  if (error instanceof HubNotConfiguredError) return trans.__('This JupyterLab is not served by a hub');
  return trans.__('Something went wrong');
}

/** An error box (`role="alert"`) with headline and message. */
export function ErrorNotice(props: IErrorNoticeProps): JSX.Element {
  const { error, trans, variant } = props;
  return (
    <div className={`jp-hub-ErrorNotice jp-hub-ErrorNotice-${variant}`} role="alert">
      <div className="jp-hub-ErrorNotice-headline">
        {variant === 'stale' ? trans.__('Could not refresh: %1', errorHeadline(error, trans)) : errorHeadline(error, trans)}
      </div>
      <div className="jp-hub-ErrorNotice-message">{error.message}</div>
    </div>
  );
}
