/**
 * The `audit` config section (issue 8): defaults, the file resolved against the config file's
 * folder, and bad values refused at load with the key named.
 */
import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load';
import { useConfigSandbox } from '../src/config/testing/config-sandbox';

const sandbox = useConfigSandbox('clusterhub-audit-config-');
const { load, problemsOf } = sandbox;

describe('audit config', () => {
  it('keeps events a year in the database only by default', () => {
    expect(loadConfig(null, { env: {}, cwd: sandbox.dir }).audit).toEqual({ retentionDays: 365, file: null });
    expect(load('audit:\n').audit).toEqual({ retentionDays: 365, file: null });
  });

  it('reads the retention and resolves a relative file against the config file folder', () => {
    expect(load('audit: { retentionDays: 30, file: logs/audit.jsonl }\n').audit).toEqual({ retentionDays: 30, file: join(sandbox.dir, 'logs', 'audit.jsonl') });
    expect(load('audit: { file: /var/log/clusterhub/audit.jsonl }\n').audit.file).toBe('/var/log/clusterhub/audit.jsonl');
  });

  it.each([
    ['a zero retention', 'audit: { retentionDays: 0 }', 'audit.retentionDays'],
    ['a fractional retention', 'audit: { retentionDays: 1.5 }', 'audit.retentionDays'],
    ['a non-numeric retention', 'audit: { retentionDays: forever }', 'audit.retentionDays'],
    ['a huge retention', 'audit: { retentionDays: 100000 }', 'audit.retentionDays'],
    ['an empty file', 'audit: { file: "" }', 'audit.file'],
    ['a file that is not a string', 'audit: { file: [a, b] }', 'audit.file'],
    ['an unknown key', 'audit: { rotate: true }', 'audit'],
  ])('refuses %s naming the key', (_what, yaml, key) => {
    const problems = problemsOf(`${yaml}\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`config error at ${key}`);
  });
});
