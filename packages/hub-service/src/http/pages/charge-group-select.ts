/**
 * The "charge to" choice of the home page's start forms (docs/budgets.md, "Which group is
 * charged"): for every profile the user may start and can charge to more than one of their groups,
 * a `<select name="charge_group-<slug>">` of those groups. No script: a small stylesheet shows only
 * the select of the profile chosen in the form's profile select (CSS `:has`); a browser without
 * `:has` shows them all, each labelled with its profile, and the hub reads the one of the profile
 * submitted (`chargeGroupOfForm`).
 */
import { html, raw, type SafeHtml } from './html';

/** What the select needs of a profile. */
export interface ChargeGroupProfile {
  readonly slug: string;
  readonly displayName: string;
  readonly allowed: boolean;
  /** The user's groups the profile lists, by name (the first is the default). */
  readonly chargeGroups?: readonly string[];
}

/** The form field naming the group to charge for `slug`. */
export function chargeGroupField(slug: string): string {
  return `charge_group-${slug}`;
}

/** True when a start of `profile` lets the user choose the group to charge. */
export function hasChargeChoice(profile: ChargeGroupProfile | undefined): boolean {
  return profile !== undefined && profile.allowed && (profile.chargeGroups ?? []).length > 1;
}

/** `<option>`s of the profile's groups; `preferred` (when listed) else the first is selected. */
function groupOptions(groups: readonly string[], preferred: string | null | undefined): SafeHtml[] {
  const selected = preferred !== null && preferred !== undefined && groups.includes(preferred) ? preferred : groups[0];
  return groups.map((g) => html`<option value="${g}"${g === selected ? html` selected` : null}>${g}</option>`);
}

/** Slugs as the profile schema allows them; anything else is never put into the stylesheet. */
const CSS_SAFE_SLUG = /^[a-z][a-z0-9.-]*$/;

/**
 * The charge-group fields of a start form whose profile select has id `selectId`, inside the form
 * with id `formId`: one per profile with a choice (none when no profile has one).
 */
export function chargeGroupFields(profiles: readonly ChargeGroupProfile[], options: { formId: string; selectId: string; preferred?: string | null }): SafeHtml | null {
  const choosing = profiles.filter(hasChargeChoice);
  if (choosing.length === 0) return null;
  const fields = choosing.map((p) => {
    const id = `${options.selectId}-charge-${p.slug}`;
    return html`<div class="field charge-group" data-profile="${p.slug}">
        <label for="${id}">Charge ${p.displayName} to</label>
        <select name="${chargeGroupField(p.slug)}" id="${id}">${groupOptions(p.chargeGroups ?? [], options.preferred)}</select>
        <div class="hint">You are in several groups this profile is open to: the budget of the group you choose pays for the server.</div>
      </div>`;
  });
  const shown = choosing
    .filter((p) => CSS_SAFE_SLUG.test(p.slug))
    .map((p) => `#${options.formId}:has(#${options.selectId} option[value="${p.slug}"]:checked) .charge-group[data-profile="${p.slug}"] { display: block; }`);
  const css = `@supports selector(:has(a)) { #${options.formId} .charge-group { display: none; } ${shown.join(' ')} }`;
  return html`<style>${raw(css)}</style>${fields}`;
}

/**
 * The charge-group select of a form that starts one profile (a named server's Start button): a
 * plain `charge_group` select, or nothing when the profile gives no choice.
 */
export function chargeGroupInline(profile: ChargeGroupProfile | undefined, id: string, preferred?: string | null): SafeHtml | null {
  if (!profile || !hasChargeChoice(profile)) return null;
  return html`<label class="sr-only" for="${id}">Charge ${profile.displayName} to</label><select name="charge_group" id="${id}" class="charge-inline" title="Group charged">${groupOptions(profile.chargeGroups ?? [], preferred)}</select>`;
}

/**
 * A labelled `.field` with the plain `charge_group` select of a form that starts one profile (a
 * batch profile's own start form), or nothing when the profile gives no choice.
 */
export function chargeGroupFieldOf(profile: ChargeGroupProfile, id: string): SafeHtml | null {
  if (!hasChargeChoice(profile)) return null;
  return html`<div class="field"><label for="${id}">Charge to</label><select name="charge_group" id="${id}">${groupOptions(profile.chargeGroups ?? [], null)}</select></div>`;
}
