/**
 * The batch part of the home page's start card (docs/batch-jobs.md): for each Slurm profile the user may
 * use, how many of its GPUs or MIG slices are free now, and, when the profile lets the user choose,
 * a start form of its own with the choices as selects (field names = the `user_options` keys:
 * `partition`, `account`, `qos`, `reservation`, `walltime`), so no script is needed to pick them.
 */
import type { BatchChoice, ProfileBatchModel } from '@clusterhub/shared';
import { html, type SafeHtml } from './html';
import { chargeGroupFieldOf } from './charge-group-select';

/** A batch profile as the home page shows it. */
export interface HomeBatchProfile {
  readonly slug: string;
  readonly displayName: string;
  readonly batch: ProfileBatchModel;
  /** The user's groups the profile lists, by name: more than one adds a "charge to" select to its form. */
  readonly chargeGroups?: readonly string[];
}

/** "2 free now", "none free now", or null when there is nothing to count (no gres) or it is unknown. */
export function freeNowText(batch: ProfileBatchModel): string | null {
  if (batch.gres === null || batch.free === null) return null;
  if (batch.fits === 0) return 'none free now';
  return `${batch.fits ?? batch.free} free now`;
}

/** The walltime pattern of the form (the schema's `[D-]HH:MM:SS`). */
const WALLTIME_PATTERN = '([0-9]+-)?[0-9]{1,2}:[0-9]{2}:[0-9]{2}';

/** The scheduler-name pattern of free-input choices (the schema's SlurmName). */
const NAME_PATTERN = '[A-Za-z0-9][A-Za-z0-9_.\\x2d]{0,63}';

const LABELS = { partition: 'Partition', account: 'Account', qos: 'QoS', reservation: 'Reservation' } as const;

function choiceField(slug: string, field: keyof typeof LABELS, choice: BatchChoice): SafeHtml {
  const id = `batch-${slug}-${field}`;
  const label = html`<label for="${id}">${LABELS[field]}</label>`;
  if (choice === 'any') {
    return html`<div class="field">${label}<input type="text" id="${id}" name="${field}" pattern="${NAME_PATTERN}" maxlength="64" autocapitalize="none" spellcheck="false" placeholder="default"></div>`;
  }
  if (choice.length === 0) {
    return html`<div class="field">${label}<select id="${id}" name="${field}" disabled><option value="">none open to you</option></select></div>`;
  }
  const options = [html`<option value="">default</option>`, ...choice.map((c) => html`<option value="${c}">${c}</option>`)];
  return html`<div class="field">${label}<select id="${id}" name="${field}">${options}</select></div>`;
}

function profileBlock(profile: HomeBatchProfile, action: string, xsrf: string): SafeHtml {
  const b = profile.batch;
  const free = freeNowText(b);
  const freeLine =
    b.gres === null
      ? null
      : free !== null
        ? html`<span class="badge" id="batch-free-${profile.slug}">${free}</span> <span class="small muted">(${b.gres})</span>`
        : html`<span class="small muted" id="batch-free-${profile.slug}">Free ${b.gres} unknown: ${b.reason ?? 'the scheduler did not say'}.</span>`;
  const fields = (Object.keys(LABELS) as (keyof typeof LABELS)[]).flatMap((f) => {
    const c = b.choices[f];
    return c === undefined ? [] : [choiceField(profile.slug, f, c)];
  });
  const wall = b.choices.walltime;
  if (wall) {
    const id = `batch-${profile.slug}-walltime`;
    fields.push(
      html`<div class="field"><label for="${id}">Walltime</label><input type="text" id="${id}" name="walltime" pattern="${WALLTIME_PATTERN}" maxlength="16" placeholder="${wall.default ?? 'partition default'}"><div class="hint">[D-]HH:MM:SS, at most ${wall.max}</div></div>`,
    );
  }
  if (fields.length > 0) {
    // Batch profiles are listed only when open to the user.
    const charge = chargeGroupFieldOf({ ...profile, allowed: true }, `batch-${profile.slug}-charge-group`);
    if (charge) fields.push(charge);
  }
  const form =
    fields.length === 0
      ? null
      : html`<form method="post" action="${action}" class="batch-start" id="batch-start-${profile.slug}">
          <input type="hidden" name="_xsrf" value="${xsrf}"><input type="hidden" name="profile" value="${profile.slug}">
          <div class="row">${fields}</div>
          ${b.choicesReason === undefined ? null : html`<div class="hint">Not narrowed to your accounts: ${b.choicesReason}.</div>`}
          <div class="actions"><button type="submit" class="btn btn-sm" id="batch-start-${profile.slug}-button">Start ${profile.displayName} with these choices</button></div>
        </form>`;
  return html`<div class="batch-profile" data-profile="${profile.slug}"><strong>${profile.displayName}</strong> ${freeLine}${form}</div>`;
}

/** The batch section of the start card; nothing when no batch profile is open to the user. */
export function batchChoices(profiles: readonly HomeBatchProfile[], action: string, xsrf: string): SafeHtml | null {
  if (profiles.length === 0) return null;
  return html`<details class="batch-choices" id="batch-choices"${profiles.some((p) => p.batch.gres !== null || Object.keys(p.batch.choices).length > 0) ? html` open` : null}>
      <summary>Cluster jobs: free GPUs and your choices</summary>
      ${profiles.map((p) => profileBlock(p, action, xsrf))}
    </details>`;
}
