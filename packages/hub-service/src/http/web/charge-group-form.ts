/**
 * The group to charge as a start form sends it (docs/budgets.md, "Which group is charged"): the
 * home page's per-profile select `charge_group-<profile>`, else a plain `charge_group` field.
 */
import { CHARGE_GROUP_OPTION } from '../../services/ledger';
import { chargeGroupField } from '../pages/charge-group-select';

/**
 * `{ charge_group }` for the `user_options` of a start of `profile` from `form`, or `{}` when the
 * form names no group (missing or empty). Other types (a repeated field) are passed on for the
 * start's check to refuse.
 */
export function chargeGroupOfForm(form: Readonly<Record<string, unknown>>, profile: string | undefined): Record<string, unknown> {
  const perProfile = profile === undefined ? undefined : form[chargeGroupField(profile)];
  const value = perProfile !== undefined && perProfile !== '' ? perProfile : form[CHARGE_GROUP_OPTION];
  return value === undefined || value === '' ? {} : { [CHARGE_GROUP_OPTION]: value };
}
