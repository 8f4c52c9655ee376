/**
 * Spawn profiles: the seed cluster's defaults and the pure rules around them (lookup, access,
 * the environment a server gets, a one-line summary for people). Browser-safe: no Node APIs.
 */
import type { ProfileConfig } from './generated/config';

/** Deep-freezes a plain data value (objects and arrays) and returns it. */
function freezeData<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) freezeData(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * The seed cluster's profiles, used when the config lists none: one CPU profile (the default),
 * two MIG slices of an A100 and one or two whole A100 GPUs. Prices are compute units per hour.
 */
export const DEFAULT_PROFILES: readonly ProfileConfig[] = freezeData<ProfileConfig[]>([
  {
    slug: 'cpu-default',
    displayName: 'CPU',
    description: 'A small CPU-only server for notebooks, data preparation and light analysis.',
    kind: 'cpu',
    backend: 'default',
    default: true,
    resources: { cpu: { guarantee: 0.5, limit: 2 }, memory: { guarantee: '1Gi', limit: '2Gi' } },
    environment: {},
    pricePerHour: 1,
    groups: [],
  },
  {
    slug: 'mig-1g.5gb',
    displayName: 'GPU slice (MIG 1g.5gb)',
    description: 'One seventh of an A100 (5 GB of GPU memory): for development and small models.',
    kind: 'mig',
    backend: 'default',
    default: false,
    resources: {
      mig: { profile: '1g.5gb', count: 1 },
      cpu: { guarantee: 2, limit: 4 },
      memory: { guarantee: '8Gi', limit: '16Gi' },
    },
    environment: {},
    pricePerHour: 4,
    groups: [],
  },
  {
    slug: 'mig-2g.10gb',
    displayName: 'GPU slice (MIG 2g.10gb)',
    description: 'Two sevenths of an A100 (10 GB of GPU memory): for medium models.',
    kind: 'mig',
    backend: 'default',
    default: false,
    resources: {
      mig: { profile: '2g.10gb', count: 1 },
      cpu: { guarantee: 2, limit: 4 },
      memory: { guarantee: '8Gi', limit: '16Gi' },
    },
    environment: {},
    pricePerHour: 8,
    groups: [],
  },
  {
    slug: 'gpu-1x',
    displayName: '1 × A100 GPU',
    description: 'A whole A100 GPU: for training.',
    kind: 'gpu',
    backend: 'default',
    default: false,
    resources: {
      gpus: { count: 1, type: 'a100' },
      cpu: { guarantee: 8, limit: 8 },
      memory: { guarantee: '32Gi', limit: '64Gi' },
    },
    environment: {},
    pricePerHour: 30,
    groups: [],
  },
  {
    slug: 'gpu-2x',
    displayName: '2 × A100 GPU',
    description: 'Two whole A100 GPUs: for multi-GPU training.',
    kind: 'gpu',
    backend: 'default',
    default: false,
    resources: {
      gpus: { count: 2, type: 'a100' },
      cpu: { guarantee: 8, limit: 8 },
      memory: { guarantee: '32Gi', limit: '64Gi' },
    },
    environment: {},
    pricePerHour: 60,
    groups: [],
  },
]);

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/;

const QUANTITY_FACTORS: Readonly<Record<string, number>> = {
  '': 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/**
 * Parses a memory size into bytes: a plain number of bytes, or a number with a decimal (`K`, `M`,
 * `G`, `T`) or binary (`Ki`, `Mi`, `Gi`, `Ti`) suffix. Fractions of a byte are dropped, as
 * JupyterHub does. Throws a `RangeError` for anything else.
 */
export function parseQuantity(q: string): number {
  const match = QUANTITY.exec(q);
  const factor = match ? QUANTITY_FACTORS[match[2] ?? ''] : undefined;
  if (!match || factor === undefined) {
    throw new RangeError(`not a memory size: ${JSON.stringify(q)} (expected e.g. 512Mi, 2Gi or 1000000)`);
  }
  return Math.floor(Number(match[1]) * factor);
}

/**
 * The profile for a start request: the one with `slug`, or, when no slug is given, the default
 * profile (else the first). `null` when the slug is unknown or there are no profiles.
 */
export function findProfile(profiles: readonly ProfileConfig[], slug: string | undefined | null): ProfileConfig | null {
  if (slug === undefined || slug === null || slug === '') {
    return profiles.find((p) => p.default === true) ?? profiles[0] ?? null;
  }
  return profiles.find((p) => p.slug === slug) ?? null;
}

/** Whether `user` may start `profile`: admins always; otherwise an empty group list means everyone. */
export function profileAllowed(profile: ProfileConfig, user: { admin: boolean; groups: readonly string[] }): boolean {
  if (user.admin) return true;
  const groups = profile.groups ?? [];
  if (groups.length === 0) return true;
  return groups.some((g) => user.groups.includes(g));
}

/** Formats a number the way Python's `str(float)` does (`2` → `2.0`), as JupyterHub sets CPU_* variables. */
function pythonFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/**
 * Environment variables a server started with `profile` gets: `CPU_LIMIT`, `CPU_GUARANTEE`
 * (floats), `MEM_LIMIT`, `MEM_GUARANTEE` (bytes) as JupyterHub sets them, `CLUSTERHUB_PROFILE`,
 * `CLUSTERHUB_PROFILE_KIND`, then the profile's own `environment` (which may override them).
 */
export function profileEnvironment(profile: ProfileConfig): Record<string, string> {
  const env: Record<string, string> = {};
  const cpu = profile.resources?.cpu;
  const memory = profile.resources?.memory;
  if (cpu?.limit !== undefined) env['CPU_LIMIT'] = pythonFloat(cpu.limit);
  if (cpu?.guarantee !== undefined) env['CPU_GUARANTEE'] = pythonFloat(cpu.guarantee);
  if (memory?.limit !== undefined) env['MEM_LIMIT'] = String(parseQuantity(memory.limit));
  if (memory?.guarantee !== undefined) env['MEM_GUARANTEE'] = String(parseQuantity(memory.guarantee));
  env['CLUSTERHUB_PROFILE'] = profile.slug;
  env['CLUSTERHUB_PROFILE_KIND'] = profile.kind;
  return { ...env, ...(profile.environment ?? {}) };
}

const BINARY_UNITS: readonly (readonly [string, number])[] = [
  ['TiB', 1024 ** 4],
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
];

/** Picks the largest binary unit in which `bytes` is at least 1. */
function unitFor(bytes: number): readonly [string, number] {
  return BINARY_UNITS.find(([, size]) => bytes >= size) ?? ['B', 1];
}

/** A number with at most one decimal, without a trailing `.0`. */
function short(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** `lo–hi unit` when both exist (one unit if they share it), else the one that does. */
function range(lo: number | undefined, hi: number | undefined, format: (v: number) => [string, string]): string | null {
  if (lo === undefined || hi === undefined || lo === hi) {
    const single = lo ?? hi;
    if (single === undefined) return null;
    const [num, unit] = format(single);
    return `${lo === undefined ? 'up to ' : ''}${num} ${unit}`;
  }
  const [loNum, loUnit] = format(lo);
  const [hiNum, hiUnit] = format(hi);
  return loUnit === hiUnit ? `${loNum}–${hiNum} ${hiUnit}` : `${loNum} ${loUnit}–${hiNum} ${hiUnit}`;
}

/**
 * A one-line summary of what a server of this profile gets, for people: e.g. `0.5–2 CPU · 1–2 GiB`,
 * `MIG 1g.5gb · 2–4 CPU · 8–16 GiB`, `2× A100 GPU · 8 CPU · 32–64 GiB`.
 */
export function describeResources(profile: ProfileConfig): string {
  const r = profile.resources ?? {};
  const parts: string[] = [];
  if (r.mig) {
    const count = r.mig.count ?? 1;
    parts.push(`${count > 1 ? `${count}× ` : ''}MIG ${r.mig.profile}`);
  }
  if (r.gpus) {
    parts.push(`${r.gpus.count}× ${r.gpus.type ? `${r.gpus.type.toUpperCase()} ` : ''}GPU`);
  }
  const cpu = range(r.cpu?.guarantee, r.cpu?.limit, (v) => [short(v), 'CPU']);
  if (cpu) parts.push(cpu);
  const memLo = r.memory?.guarantee === undefined ? undefined : parseQuantity(r.memory.guarantee);
  const memHi = r.memory?.limit === undefined ? undefined : parseQuantity(r.memory.limit);
  const memory = range(memLo, memHi, (v) => {
    const [unit, size] = unitFor(v);
    return [short(v / size), unit];
  });
  if (memory) parts.push(memory);
  if (r.walltime) parts.push(`max ${r.walltime}`);
  if (parts.length === 0) return profile.kind === 'cpu' ? 'CPU' : profile.kind === 'mig' ? 'MIG slice' : 'GPU';
  return parts.join(' · ');
}
