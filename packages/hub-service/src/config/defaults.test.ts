import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSpawnerCmd, findRepoRoot } from './defaults';
import { findSchemaRoot, keyPath } from './schema-validator';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'clusterhub-defaults-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('findRepoRoot', () => {
  it('finds the folder with the root package.json from below', () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'clusterhub' }));
    const deep = join(dir, 'packages', 'hub-service', 'lib', 'config');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(dir, 'packages', 'hub-service', 'package.json'), JSON.stringify({ name: '@clusterhub/hub-service' }));
    expect(findRepoRoot(deep)).toBe(dir);
  });

  it('finds the folder with a .venv', () => {
    mkdirSync(join(dir, '.venv'));
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    expect(findRepoRoot(join(dir, 'a', 'b'))).toBe(dir);
  });

  it('finds this checkout from the config folder', () => {
    const root = findRepoRoot();
    expect(root).not.toBeNull();
    expect(findSchemaRoot()).toBe(root);
  });
});

describe('defaultSpawnerCmd', () => {
  it('uses jupyterhub-singleuser from the venv when it exists', () => {
    const bin = join(dir, '.venv', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'jupyterhub-singleuser'), '#!/bin/sh\n');
    chmodSync(join(bin, 'jupyterhub-singleuser'), 0o755);
    expect(defaultSpawnerCmd(dir)).toEqual([join(bin, 'jupyterhub-singleuser')]);
  });

  it('falls back to the one on PATH', () => {
    expect(defaultSpawnerCmd(dir)).toEqual(['jupyterhub-singleuser']);
    expect(defaultSpawnerCmd(null)).toEqual(['jupyterhub-singleuser']);
  });
});

describe('findSchemaRoot', () => {
  it('walks up to the folder holding schema/config/hub-config.schema.json', () => {
    mkdirSync(join(dir, 'schema', 'config'), { recursive: true });
    writeFileSync(join(dir, 'schema', 'config', 'hub-config.schema.json'), '{}');
    mkdirSync(join(dir, 'x', 'lib', 'config'), { recursive: true });
    expect(findSchemaRoot(join(dir, 'x', 'lib', 'config'))).toBe(dir);
  });

  it('says what it looked for when there is none', () => {
    expect(() => findSchemaRoot(dir)).toThrow(/cannot find schema\/config\/hub-config\.schema\.json/);
  });
});

describe('keyPath', () => {
  it.each([
    ['', '(top level)'],
    ['/hub/public/port', 'hub.public.port'],
    ['/profiles/2', 'profiles[2]'],
    ['/profiles/0/environment/MY VAR', 'profiles[0].environment["MY VAR"]'],
    ['/spawner/environment/a~1b~0c', 'spawner.environment["a/b~c"]'],
  ])('%j is %s', (pointer, path) => {
    expect(keyPath(pointer)).toBe(path);
  });
});
