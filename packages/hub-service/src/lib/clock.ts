/** Injected time source: milliseconds since the epoch. */
export type Clock = () => number;

/** The system clock. */
export const systemClock: Clock = () => Date.now();
