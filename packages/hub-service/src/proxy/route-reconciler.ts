import type { Proxy, Route, RouteData } from './proxy';
import { ProxyError } from './proxy';
import type { ProxyLogger } from './proxy-deps';

/** A route the hub wants: where it points and the data stored with it. */
export interface DesiredRoute {
  readonly target: string;
  readonly data: RouteData;
}

/** One route to add or re-point. */
export interface RouteAddition {
  readonly routespec: string;
  readonly target: string;
  readonly data: RouteData;
}

/** What to change so the proxy matches the desired routes. */
export interface RouteDiff {
  /** Routes missing from the proxy, or present with another target or other data. */
  readonly add: RouteAddition[];
  /** Routespecs of hub-owned (`jupyterhub: true`) routes that are no longer desired. */
  readonly remove: string[];
}

function sameData(a: RouteData, b: RouteData): boolean {
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => Object.prototype.hasOwnProperty.call(b, key) && a[key] === b[key]);
}

/** True when the route carries the hub's ownership marker. */
export function isHubOwned(route: Route): boolean {
  return route.data.jupyterhub === true;
}

/**
 * Pure comparison of desired and actual routes (JupyterHub's check_routes): add or re-point every
 * desired route that is missing or differs in target or data; remove hub-owned routes that are not
 * desired. Routes without the `jupyterhub: true` marker are never removed.
 */
export function diffRoutes(desired: ReadonlyMap<string, DesiredRoute>, actual: ReadonlyMap<string, Route>): RouteDiff {
  const add: RouteAddition[] = [];
  for (const [routespec, want] of desired) {
    const have = actual.get(routespec);
    if (have === undefined || have.target !== want.target || !sameData(have.data, want.data)) {
      add.push({ routespec, target: want.target, data: want.data });
    }
  }
  const remove: string[] = [];
  for (const [routespec, route] of actual) {
    if (isHubOwned(route) && !desired.has(routespec)) remove.push(routespec);
  }
  return { add, remove };
}

/** Options of {@link RouteReconciler}. */
export interface RouteReconcilerOptions {
  readonly proxy: Proxy;
  /** The routes the hub wants now (hub route, ready servers, services, extra routes). */
  readonly desired: () => Promise<ReadonlyMap<string, DesiredRoute>>;
  /** Receives the hub-owned routes that have a last activity, before the diff is applied. */
  readonly onActivity?: (routes: Route[]) => Promise<void>;
  /** Period of the background runs (ms). */
  readonly intervalMs: number;
  readonly logger: ProxyLogger;
}

/** What one reconciliation changed. */
export interface ReconcileResult {
  readonly added: string[];
  readonly removed: string[];
}

/**
 * Keeps the proxy's routes equal to the desired ones: on demand (`checkRoutes`) and every
 * `intervalMs` after `start`. Runs never overlap: a call made during a run waits for one fresh run
 * after it (concurrent callers share it). Each run first hands route activity to `onActivity`.
 */
export class RouteReconciler {
  private readonly options: RouteReconcilerOptions;
  private current: Promise<ReconcileResult> | null = null;
  private next: Promise<ReconcileResult> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  /** @param options proxy, desired-state source, activity sink, interval and logger. */
  constructor(options: RouteReconcilerOptions) {
    this.options = options;
  }

  /**
   * Reconciles now. Rejects with ProxyError when the routes cannot be listed or some change failed
   * (the other changes are still applied).
   */
  checkRoutes(): Promise<ReconcileResult> {
    if (this.current === null) return this.launch();
    this.next ??= this.current.then(
      () => this.launch(),
      () => this.launch(),
    );
    return this.next;
  }

  /** Schedules background runs every `intervalMs` (the first one after one interval). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Stops the background runs and waits for a run in progress to finish. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const pending = this.next ?? this.current;
    if (pending !== null) await pending.then(
      () => undefined,
      () => undefined,
    );
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.checkRoutes()
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'route check failed');
        })
        .finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private launch(): Promise<ReconcileResult> {
    this.next = null;
    const run = this.reconcile().finally(() => {
      // While a follow-up run is queued, `current` stays set so new callers join that run.
      if (this.current === run && this.next === null) this.current = null;
    });
    this.current = run;
    return run;
  }

  private async reconcile(): Promise<ReconcileResult> {
    const { proxy, logger } = this.options;
    const actual = await proxy.getAllRoutes();
    if (this.options.onActivity !== undefined) {
      const active = [...actual.values()].filter((route) => isHubOwned(route) && route.lastActivity !== null);
      try {
        await this.options.onActivity(active);
      } catch (error) {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'recording route activity failed');
      }
    }
    const diff = diffRoutes(await this.options.desired(), actual);
    const failures: string[] = [];
    const added: string[] = [];
    const removed: string[] = [];
    await Promise.all([
      ...diff.add.map(async (route) => {
        try {
          await proxy.addRoute(route.routespec, route.target, route.data);
          added.push(route.routespec);
          logger.info({ routespec: route.routespec, target: route.target }, 'route added');
        } catch (error) {
          failures.push(`add ${route.routespec}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
      ...diff.remove.map(async (routespec) => {
        try {
          await proxy.deleteRoute(routespec);
          removed.push(routespec);
          logger.info({ routespec }, 'stale route removed');
        } catch (error) {
          failures.push(`delete ${routespec}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    ]);
    if (failures.length > 0) {
      throw new ProxyError(`Route check: ${failures.length} change(s) failed: ${failures.slice(0, 5).join('; ')}`);
    }
    return { added, removed };
  }
}
