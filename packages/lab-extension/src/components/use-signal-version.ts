/**
 * A React hook that re-renders a function component whenever a Lumino signal fires.
 */
import type { ISignal } from '@lumino/signaling';
import { useEffect, useState } from 'react';

/** Subscribes to `signal` while mounted; returns a counter that changes on every emission. */
export function useSignalVersion<T>(signal: ISignal<T, unknown>): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const slot = (): void => setVersion((v) => v + 1);
    signal.connect(slot);
    return () => {
      signal.disconnect(slot);
    };
  }, [signal]);
  return version;
}
