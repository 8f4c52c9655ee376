/**
 * The Resources panel's body: the server this JupyterLab runs in, its profile (name, slug, kind,
 * resources, price), its state and the owner's budget, as the model last heard from the hub.
 * Reads the model only.
 */
import { describeResources, type ProfileConfig, type ServerState } from '@clusterhub/shared';
import { Time } from '@jupyterlab/coreutils';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { IResourcesSnapshot, ResourcesModel } from '../models/resources-model';
import { BudgetSection } from './budget-view';
import { ErrorNotice } from './error-notice';
import { KindBadge } from './kind-badge';
import { useSignalVersion } from './use-signal-version';

/** Props of {@link ResourcesView}. */
export interface IResourcesViewProps {
  model: ResourcesModel;
  trans: TranslationBundle;
}

/** The translated name of a lifecycle state. */
export function stateLabel(state: ServerState, trans: TranslationBundle): string {
  switch (state) {
    case 'stopped':
      return trans.__('Stopped');
    case 'pending-start':
      return trans.__('Starting');
    case 'running':
      return trans.__('Running');
    case 'pending-stop':
      return trans.__('Stopping');
    case 'failed':
      return trans.__('Failed');
  }
}

/** One term/description pair of the details list. */
function Row(props: { term: string; children: React.ReactNode; name: string }): JSX.Element {
  return (
    <>
      <dt className="jp-hub-Details-term">{props.term}</dt>
      <dd className="jp-hub-Details-value" data-field={props.name}>
        {props.children}
      </dd>
    </>
  );
}

/** The profile card: display name, kind badge, slug and one-line resources. */
function ProfileCard(props: { profile: ProfileConfig; trans: TranslationBundle }): JSX.Element {
  const { profile, trans } = props;
  return (
    <div className="jp-hub-ProfileCard">
      <div className="jp-hub-ProfileCard-title">
        <span className="jp-hub-ProfileCard-name">{profile.displayName}</span>
        <KindBadge kind={profile.kind} trans={trans} />
      </div>
      <code className="jp-hub-ProfileCard-slug">{profile.slug}</code>
      <div className="jp-hub-ProfileCard-resources">{describeResources(profile)}</div>
      {profile.description ? <div className="jp-hub-ProfileCard-description">{profile.description}</div> : null}
    </div>
  );
}

/** The details of a snapshot: profile card, then server name, price, state and start time. */
function SnapshotDetails(props: { model: ResourcesModel; snapshot: IResourcesSnapshot; trans: TranslationBundle }): JSX.Element {
  const { model, snapshot, trans } = props;
  const { server, profile, profileSlug } = snapshot;
  const started = server?.started ? new Date(server.started) : null;
  return (
    <>
      {server === null ? (
        <div className="jp-hub-Notice">
          {snapshot.serversVisible
            ? trans.__('The hub does not list this server as running.')
            : trans.__('The hub does not let this JupyterLab read its servers (the token lacks read:servers).')}
        </div>
      ) : profile ? (
        <>
          <ProfileCard profile={profile} trans={trans} />
          {snapshot.notApplied.length > 0 ? (
            <div className="jp-hub-Notice jp-hub-NotApplied" data-field="not-applied">
              {trans.__('Not applied on this backend: %1', snapshot.notApplied.join(' '))}
            </div>
          ) : null}
        </>
      ) : (
        <div className="jp-hub-Notice">
          {profileSlug
            ? trans.__('This server was started with profile %1, which the hub no longer offers.', profileSlug)
            : trans.__('The hub does not say which profile this server was started with.')}
        </div>
      )}
      <dl className="jp-hub-Details">
        <Row term={trans.__('Server')} name="server">
          {model.serverName ? model.serverName : trans.__('default')}
          {model.user ? <span className="jp-hub-Details-owner"> ({model.user})</span> : null}
        </Row>
        {profile ? (
          <Row term={trans.__('Price')} name="price">
            {trans._n('%1 compute unit per hour', '%1 compute units per hour', profile.pricePerHour ?? 0)}
          </Row>
        ) : null}
        {snapshot.serversVisible ? (
          <Row term={trans.__('State')} name="state">
            <span className={`jp-hub-State jp-hub-State-${snapshot.lifecycle}`}>{stateLabel(snapshot.lifecycle, trans)}</span>
            {server?.message ? <div className="jp-hub-Details-message">{server.message}</div> : null}
          </Row>
        ) : null}
        {started && !Number.isNaN(started.getTime()) ? (
          <Row term={trans.__('Started')} name="started">
            <time dateTime={started.toISOString()} title={Time.format(started)}>
              {Time.formatHuman(started)}
            </time>
          </Row>
        ) : null}
      </dl>
      {snapshot.budgets ? <BudgetSection budgets={snapshot.budgets} trans={trans} /> : null}
    </>
  );
}

/** The panel body; re-renders when the model changes. */
export function ResourcesView(props: IResourcesViewProps): JSX.Element {
  const { model, trans } = props;
  useSignalVersion(model.changed);
  const { snapshot, error } = model;
  let body: JSX.Element;
  if (model.notClusterhub) {
    body = (
      <div className="jp-hub-Notice" data-reason="not-clusterhub">
        {trans.__('This hub is not clusterhub: resource panels are unavailable')}
      </div>
    );
  } else if (snapshot) {
    body = (
      <>
        {error ? <ErrorNotice error={error} trans={trans} variant="stale" /> : null}
        <SnapshotDetails model={model} snapshot={snapshot} trans={trans} />
      </>
    );
  } else if (error) {
    body = <ErrorNotice error={error} trans={trans} variant="blocking" />;
  } else {
    body = (
      <div className="jp-hub-Loading" aria-busy="true">
        {trans.__('Asking the hub about this server…')}
      </div>
    );
  }
  return <div className="jp-hub-ResourcesView">{body}</div>;
}
