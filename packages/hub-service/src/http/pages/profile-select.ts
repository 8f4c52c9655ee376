/** The profile `<select>` and the "compare profiles" table used by the spawn forms of the home page. */
import { html, type SafeHtml } from './html';

/** A spawn profile as the home page shows it. */
export interface HomeProfile {
  readonly slug: string;
  readonly displayName: string;
  readonly description: string;
  readonly kind: 'cpu' | 'mig' | 'gpu';
  /** One-line resources summary, e.g. "2 CPU · 8 GiB · MIG 1g.5gb". */
  readonly summary: string;
  /** Compute units per hour. */
  readonly pricePerHour: number;
  /** Whether the user may start it (others are listed disabled). */
  readonly allowed: boolean;
  /** Why the user may not start it (e.g. "needs group cpsHPCAccess"); shown with a disabled profile. */
  readonly reason?: string;
  /** Preselected when nothing else is. */
  readonly default: boolean;
  /** What this hub's backend does not apply of the profile's resources, one sentence each (empty: all applied). */
  readonly notApplied?: readonly string[];
  /** A Slurm profile's free GPUs, e.g. "2 free now" (docs/batch-jobs.md). */
  readonly freeNow?: string;
  /** The user's groups the profile lists, by name: more than one gives a "charge to" choice (docs/budgets.md). */
  readonly chargeGroups?: readonly string[];
}

/** "Not applied on this backend: …" for a profile, or nothing when the backend applies it in full. */
export function notAppliedNote(profile: HomeProfile | undefined, id?: string): SafeHtml | null {
  const notes = profile?.notApplied ?? [];
  if (notes.length === 0) return null;
  return html`<div class="small not-applied"${id === undefined ? null : html` id="${id}"`}><strong>Not applied on this backend:</strong> ${notes.join(' ')}</div>`;
}

/** "4 units/h" (one decimal at most). */
export function formatPrice(pricePerHour: number): string {
  const rounded = Math.round(pricePerHour * 10) / 10;
  return `${rounded} ${rounded === 1 ? 'unit' : 'units'}/h`;
}

/** The slug to preselect: `preferred` if allowed, else the allowed default, else the first allowed. */
export function preselectedProfile(profiles: readonly HomeProfile[], preferred?: string | null): string | undefined {
  const allowed = profiles.filter((p) => p.allowed);
  return (allowed.find((p) => p.slug === preferred) ?? allowed.find((p) => p.default) ?? allowed[0])?.slug;
}

/** Options: the select and its id; `preferred` is preselected when allowed. */
export interface ProfileSelectOptions {
  readonly id: string;
  readonly preferred?: string | null;
}

/** A `<select name="profile">`; profiles the user may not use are disabled and marked. */
export function profileSelect(profiles: readonly HomeProfile[], options: ProfileSelectOptions): SafeHtml {
  const selected = preselectedProfile(profiles, options.preferred);
  const items = profiles.map((p) => {
    const label = `${p.displayName} — ${formatPrice(p.pricePerHour)}${p.freeNow === undefined ? '' : ` · ${p.freeNow}`}${p.allowed ? '' : ` (${p.reason ?? 'not available to you'})`}`;
    return html`<option value="${p.slug}"${p.slug === selected ? html` selected` : null}${p.allowed ? null : html` disabled`}>${label}</option>`;
  });
  return html`<select name="profile" id="${options.id}" required>${items}</select>`;
}

/** A collapsible table describing every profile (resources, price, availability). */
export function profileTable(profiles: readonly HomeProfile[]): SafeHtml {
  if (profiles.length === 0) return html``;
  const rows = profiles.map(
    (p) => html`<tr${p.allowed ? null : html` class="muted"`}>
        <td><strong>${p.displayName}</strong><div class="small muted">${p.description}</div>${notAppliedNote(p)}</td>
        <td class="hide-narrow">${p.summary}</td>
        <td>${formatPrice(p.pricePerHour)}${p.allowed ? null : html`<div class="small">${p.reason ?? 'not available to you'}</div>`}</td>
      </tr>`,
  );
  return html`<details class="profiles-details">
      <summary>Compare profiles</summary>
      <div class="table-wrap">
        <table class="profile-list">
          <thead><tr><th scope="col">Profile</th><th scope="col" class="hide-narrow">Resources</th><th scope="col">Price</th></tr></thead>
          <tbody>${rows}</tbody>
        </table>
      </div>
    </details>`;
}
