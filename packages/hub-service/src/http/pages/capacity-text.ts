/**
 * What the home page says of a Kubernetes GPU or MIG profile's capacity, beside its name in the
 * profile list: "2 free now", "none free now, 3 waiting"; nothing when it is unknown.
 */
import type { ProfileCapacityModel } from '@clusterhub/shared';

/** The text, or null when the hub does not know (`free` null). */
export function capacityText(capacity: ProfileCapacityModel): string | null {
  if (capacity.free === null) return null;
  const fits = capacity.fits ?? 0;
  const now = fits === 0 ? 'none free now' : `${fits} free now`;
  return capacity.waiting > 0 ? `${now}, ${capacity.waiting} waiting` : now;
}
