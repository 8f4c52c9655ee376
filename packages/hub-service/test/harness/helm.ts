/**
 * `helm` for the chart tests: built from the Go module proxy by `scripts/k8s/build-helm.sh` into
 * the cache beside the Kubernetes binaries (scripts/test-all.sh starts that build in the
 * background; a lone jest run builds it here), and helpers that run it on `charts/clusterhub`.
 * Test tooling; see docs/kubernetes-testing.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { REPO_ROOT } from './repo-paths';

/** The pinned helm version (scripts/k8s/build-helm.sh). */
export const HELM_VERSION = '3.22.0';
/** How long a test may wait for the helm build (cold: a few minutes; it may queue behind the Kubernetes build). */
export const HELM_BUILD_DEADLINE_MS = 30 * 60_000;
/** The chart under test. */
export const CHART_DIR = path.join(REPO_ROOT, 'charts', 'clusterhub');

/** What a command printed and how it ended. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** One rendered manifest (a Kubernetes object as plain data). */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

function helmCache(): string {
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return process.env.HELM_CACHE_DIR ?? path.join(base, 'clusterhub', `helm-v${HELM_VERSION}`);
}

/** The helm binary's path. */
export function helmPath(): string {
  return path.join(helmCache(), 'bin', 'helm');
}

/** Runs a program; never rejects for an exit code (the result carries it). */
export function run(program: string, args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Builds helm when the cache lacks it (or waits for the build that test-all.sh started); returns its path. */
export async function ensureHelm(): Promise<string> {
  const r = await run('bash', [path.join(REPO_ROOT, 'scripts', 'k8s', 'build-helm.sh')], HELM_BUILD_DEADLINE_MS);
  if (r.code !== 0) throw new Error(`scripts/k8s/build-helm.sh failed (exit ${String(r.code)}): ${r.stderr.trim().slice(-4000)}`);
  return helmPath();
}

/** Runs helm with these arguments (HOME-independent: its config and cache folders in a temporary folder, removed after). */
export async function helm(args: readonly string[]): Promise<RunResult> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'helm-home-'));
  try {
    return await run('env', [`HELM_CONFIG_HOME=${home}/config`, `HELM_CACHE_HOME=${home}/cache`, `HELM_DATA_HOME=${home}/data`, helmPath(), ...args]);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Writes values to a temporary YAML file and returns its path. */
export function valuesFile(values: unknown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'helm-values-'));
  const file = path.join(dir, 'values.yaml');
  writeFileSync(file, stringify(values));
  return file;
}

/** Parses `helm template` output: every document must parse; empty documents are left out. */
export function parseManifests(text: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`a rendered manifest does not parse: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const m = value as Manifest;
    if (typeof m.kind !== 'string' || typeof m.apiVersion !== 'string' || typeof m.metadata?.name !== 'string') {
      throw new Error(`a rendered document is not a Kubernetes object: ${JSON.stringify(value).slice(0, 300)}`);
    }
    out.push(m);
  }
  return out;
}

/** `helm template <release> charts/clusterhub -n <namespace> -f <files>`; throws with helm's error when it fails. */
export async function helmTemplate(release: string, namespace: string, files: readonly string[] = []): Promise<Manifest[]> {
  const r = await helm(['template', release, CHART_DIR, '--namespace', namespace, ...files.flatMap((f) => ['--values', f])]);
  if (r.code !== 0) throw new Error(`helm template failed (exit ${String(r.code)}): ${r.stderr.trim()}`);
  return parseManifests(r.stdout);
}

/** The one manifest of this kind and name; throws when there is none or several. */
export function manifest(all: readonly Manifest[], kind: string, name: string, namespace?: string): Manifest {
  const found = all.filter((m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace));
  if (found.length !== 1) throw new Error(`${found.length} ${kind} ${name} in ${all.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found[0] as Manifest;
}
