/** How the culler's messages say times and durations (UTC clock times, whole minutes or hours). */

/** `14:05 UTC`. */
export function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/** `5 minutes`, `1 minute`, `less than a minute`; whole hours from two hours on (`8 hours`). */
export function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes >= 120 && minutes % 60 === 0) return `${minutes / 60} hours`;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
