import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './harness/repo-paths';

/**
 * docker/hub.Dockerfile, checked without building it (the project's machines have no container
 * engine; docs/kubernetes.md, "The hub image"): what it copies from the checkout exists and is
 * not left out of the build context, it runs the command the chart runs as the chart's non-root
 * user, on the Node the project supports, without the Python side, and the image name and tag in
 * its build command are the chart's defaults and the docs'.
 */
const DOCKERFILE = path.join(REPO_ROOT, 'docker', 'hub.Dockerfile');
const text = readFileSync(DOCKERFILE, 'utf8');

/** The Dockerfile's instructions: continuation lines joined, comments and blank lines dropped. */
function instructions(source: string): { op: string; args: string }[] {
  const joined = source.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

const all = instructions(text);
/** The instructions of the last stage (the image that runs). */
const finalStage = all.slice(all.map((i) => i.op).lastIndexOf('FROM'));

/** Chart.yaml and values.yaml of charts/clusterhub. */
const chart = parse(readFileSync(path.join(REPO_ROOT, 'charts', 'clusterhub', 'Chart.yaml'), 'utf8')) as { appVersion: string };
const values = parse(readFileSync(path.join(REPO_ROOT, 'charts', 'clusterhub', 'values.yaml'), 'utf8')) as {
  hub: { uid: number; gid: number; image: { repository: string; tag: string } };
};

test('every path it copies from the checkout exists there and is not left out by its .dockerignore', () => {
  const sources = all
    .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from='))
    .flatMap((i) => {
      const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      return words.slice(0, -1);
    });
  expect(sources.length).toBeGreaterThan(5);
  expect(sources.filter((s) => !existsSync(path.join(REPO_ROOT, s)))).toEqual([]);
  const ignored = readFileSync(path.join(REPO_ROOT, 'docker', 'hub.Dockerfile.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  // The build makes node_modules and lib/ itself; the sources it compiles must stay in the context.
  expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'packages/*/lib']));
  expect(existsSync(path.join(REPO_ROOT, 'packages', 'hub-service', 'src', 'lib'))).toBe(true);
  expect(ignored).not.toContain('**/lib');
});

test('the image copies the build stage\'s compiled hub, its dependencies and the config schema it validates against', () => {
  const fromBuild = finalStage.filter((i) => i.op === 'COPY' && i.args.startsWith('--from=build')).map((i) => i.args.split(/\s+/).slice(1, -1).join(' '));
  expect(fromBuild).toEqual(
    expect.arrayContaining(['/src/node_modules', '/src/schema', '/src/packages/shared/lib', '/src/packages/hub-service/lib', '/src/packages/hub-service/bin']),
  );
  expect(existsSync(path.join(REPO_ROOT, 'schema', 'config', 'hub-config.schema.json'))).toBe(true);
});

test("it runs `clusterhub serve` (the hub package's bin, the chart's command) as the chart's non-root user", () => {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages', 'hub-service', 'package.json'), 'utf8')) as { bin: Record<string, string> };
  const bin = pkg.bin['clusterhub'];
  expect(bin).toBe('bin/clusterhub.js');
  expect(finalStage.find((i) => i.op === 'RUN')?.args).toContain(`ln -s /opt/clusterhub/packages/hub-service/${bin ?? ''} /usr/local/bin/clusterhub`);
  expect(finalStage.find((i) => i.op === 'CMD')?.args).toBe('["clusterhub", "serve"]');
  const deployment = readFileSync(path.join(REPO_ROOT, 'charts', 'clusterhub', 'templates', 'hub-deployment.yaml'), 'utf8');
  expect(deployment).toContain('command: [clusterhub]');
  expect(deployment).toContain('args: [serve]');

  const users = finalStage.filter((i) => i.op === 'USER').map((i) => i.args);
  expect(users).toEqual([`${values.hub.uid}:${values.hub.gid}`]);
  expect(values.hub.uid).toBeGreaterThan(0);
});

test('two stages on the Node major the project supports; no Python, venv or jupyterhub-singleuser in the image', () => {
  const froms = all.filter((i) => i.op === 'FROM').map((i) => i.args);
  expect(froms).toEqual(['node:${NODE_VERSION}-bookworm-slim AS build', 'node:${NODE_VERSION}-bookworm-slim']);
  const nodeVersion = all.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_VERSION='))?.args.split('=')[1];
  const engines = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  expect(engines).toMatch(new RegExp(`^>=${nodeVersion ?? 'none'}\\.`));
  const runtime = finalStage.map((i) => `${i.op} ${i.args}`).join('\n');
  expect(runtime).not.toMatch(/python|\.venv|jupyterhub-singleuser|pip /i);
});

test("its build command's image name and tag are the chart's default hub.image, and docs/kubernetes.md says the same", () => {
  const image = `${values.hub.image.repository}:${values.hub.image.tag === '' ? chart.appVersion : values.hub.image.tag}`;
  const build = `docker build -f docker/hub.Dockerfile -t ${image} .`;
  expect(text).toContain(build);
  expect(readFileSync(path.join(REPO_ROOT, 'docs', 'kubernetes.md'), 'utf8')).toContain(build);
});
