/**
 * The contract every {@link Spawner} adapter passes (and the fake too). Call
 * {@link describeSpawnerContract} from a test file; it declares a jest `describe` block.
 *
 * Besides the port's JSDoc, the suite requires that a start reports at least one progress event
 * before it resolves (the abort test aborts from inside the first one).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ProgressEvent, SpawnHandle, SpawnRequest, SpawnResult, Spawner } from './spawner';
import { sleep } from './abort';

/** Optional knowledge of the backend that makes the suite's checks stronger. */
export interface SpawnerContractHooks {
  /**
   * How many servers launched for `request` are running out there (processes, pods, jobs),
   * whatever the spawner thinks; checked to be 0 after an aborted start.
   */
  leftovers?(request: SpawnRequest): Promise<number>;
  /** Makes the server behind `handle` go away behind the spawner's back (`kill -9`, pod deleted). */
  killOutOfBand?(handle: SpawnHandle): Promise<void>;
  /** Longest wait for a server to answer HTTP or for a state to show in `poll`, in ms; default 30000. */
  readyTimeoutMs?: number;
  /** `timeoutSeconds` given to `stop`; default 5. */
  stopTimeoutSeconds?: number;
}

/** Interval between two checks while the suite waits, in ms. */
const CHECK_INTERVAL_MS = 100;

interface Started {
  readonly spawner: Spawner;
  readonly request: SpawnRequest;
  readonly result: SpawnResult;
  readonly events: ProgressEvent[];
}

/** Polls until `poll` answers `status` or `timeoutMs` passed; resolves to the last status seen. */
async function pollUntil(spawner: Spawner, handle: SpawnHandle, status: string, timeoutMs: number): Promise<string> {
  const rounds = Math.ceil(timeoutMs / CHECK_INTERVAL_MS);
  let seen = '';
  for (let round = 0; round <= rounds; round += 1) {
    seen = (await spawner.poll(handle)).status;
    if (seen === status) return seen;
    await sleep(CHECK_INTERVAL_MS);
  }
  return seen;
}

/** GETs `url` until it answers (any status) or `timeoutMs` passed; resolves to the response or the last error. */
async function httpUntilAnswered(url: string, timeoutMs: number): Promise<Response | Error> {
  const rounds = Math.ceil(timeoutMs / CHECK_INTERVAL_MS);
  let last: Error = new Error(`${url} never answered`);
  for (let round = 0; round <= rounds; round += 1) {
    try {
      return await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
    } catch (error: unknown) {
      last = error instanceof Error ? error : new Error(String(error));
    }
    await sleep(CHECK_INTERVAL_MS);
  }
  return last;
}

/** Whether `url` accepts a connection now. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(5000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Declares the Spawner contract tests for one adapter. `makeSpawner` is called for each test and
 * again to stand for a restarted hub (the new instance must poll and stop the old one's servers
 * from their handles alone); `makeRequest` gives a fresh request for each start.
 */
export function describeSpawnerContract(
  name: string,
  makeSpawner: () => Spawner,
  makeRequest: () => SpawnRequest,
  hooks: SpawnerContractHooks = {},
): void {
  const readyMs = hooks.readyTimeoutMs ?? 30000;
  const stopOpts = { timeoutSeconds: hooks.stopTimeoutSeconds ?? 5 };

  describe(`Spawner contract: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];

    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) {
        try {
          await cleanup();
        } catch {
          // Best effort: the test itself reports what went wrong.
        }
      }
    });

    function track(spawner: Spawner): Spawner {
      cleanups.push(async () => spawner.close?.());
      return spawner;
    }

    async function startOne(): Promise<Started> {
      const spawner = track(makeSpawner());
      const request = makeRequest();
      const events: ProgressEvent[] = [];
      const result = await spawner.start(request, { signal: new AbortController().signal, onProgress: (e) => events.push(e) });
      cleanups.push(() => spawner.stop(result.handle, stopOpts));
      return { spawner, request, result, events };
    }

    it('starts a server: a JSON handle, a target that answers HTTP, poll says running', async () => {
      const { spawner, request, result } = await startOne();
      expect(JSON.parse(JSON.stringify(result.handle))).toEqual(result.handle);
      expect(result.target).toMatch(/^https?:\/\/[^/]+$/);
      expect(await pollUntil(spawner, result.handle, 'running', readyMs)).toBe('running');
      const response = await httpUntilAnswered(`${result.target}${request.prefix}`, readyMs);
      if (!(response instanceof Response)) throw response;
      expect(response.status).toBeLessThan(500);
    });

    it('reports progress while starting, never with `ready`', async () => {
      const { events } = await startOne();
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) {
        expect(typeof event.message).toBe('string');
        expect(event).not.toHaveProperty('ready');
        if (event.progress !== undefined) {
          expect(event.progress).toBeGreaterThanOrEqual(0);
          expect(event.progress).toBeLessThanOrEqual(100);
        }
      }
    });

    it('stops a server: poll says stopped and the target stops answering', async () => {
      const { spawner, request, result } = await startOne();
      expect(await pollUntil(spawner, result.handle, 'running', readyMs)).toBe('running');
      await spawner.stop(result.handle, stopOpts);
      expect((await spawner.poll(result.handle)).status).toBe('stopped');
      expect(await answers(`${result.target}${request.prefix}`)).toBe(false);
    });

    it('stopping twice succeeds', async () => {
      const { spawner, result } = await startOne();
      await spawner.stop(result.handle, stopOpts);
      await expect(spawner.stop(result.handle, stopOpts)).resolves.toBeUndefined();
      expect((await spawner.poll(result.handle)).status).toBe('stopped');
    });

    it('a new spawner instance polls and stops a server from its persisted handle', async () => {
      const { result } = await startOne();
      const persisted: SpawnHandle = JSON.parse(JSON.stringify(result.handle));
      const restarted = track(makeSpawner());
      expect(await pollUntil(restarted, persisted, 'running', readyMs)).toBe('running');
      await restarted.stop(persisted, stopOpts);
      expect((await restarted.poll(persisted)).status).toBe('stopped');
    });

    it('poll of a handle whose server is gone says stopped', async () => {
      const { spawner, result } = await startOne();
      expect(await pollUntil(spawner, result.handle, 'running', readyMs)).toBe('running');
      if (hooks.killOutOfBand) await hooks.killOutOfBand(result.handle);
      else await track(makeSpawner()).stop(result.handle, stopOpts);
      expect(await pollUntil(spawner, result.handle, 'stopped', readyMs)).toBe('stopped');
      await expect(spawner.stop(result.handle, stopOpts)).resolves.toBeUndefined();
    });

    it('a start whose signal has already fired rejects with an AbortError and launches nothing', async () => {
      const spawner = track(makeSpawner());
      const request = makeRequest();
      const controller = new AbortController();
      controller.abort();
      await expect(spawner.start(request, { signal: controller.signal, onProgress: () => undefined })).rejects.toMatchObject({
        name: 'AbortError',
      });
      if (hooks.leftovers) expect(await hooks.leftovers(request)).toBe(0);
    });

    it('a start aborted while in progress rejects with an AbortError and leaves nothing running', async () => {
      const spawner = track(makeSpawner());
      const request = makeRequest();
      const controller = new AbortController();
      const start = spawner.start(request, { signal: controller.signal, onProgress: () => controller.abort() });
      // If it resolved anyway, stop what it started so nothing outlives the test.
      void start.then(
        (r) => cleanups.push(() => spawner.stop(r.handle, stopOpts)),
        () => undefined,
      );
      await expect(start).rejects.toMatchObject({ name: 'AbortError' });
      if (hooks.leftovers) expect(await hooks.leftovers(request)).toBe(0);
    });
  });
}
