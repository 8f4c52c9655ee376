/**
 * Config files for tests: a fresh temporary folder per test (created before, removed after each),
 * and the real loader run on YAML text written into it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../load';
import type { ResolvedConfig } from '../types';

/** What a test gets from {@link useConfigSandbox}. */
export interface ConfigSandbox {
  /** The current test's folder (relative paths in a config resolve against it). */
  readonly dir: string;
  /** Writes `text` to `name` (default `hub.yaml`) in the folder and returns its path. */
  file(text: string, name?: string): string;
  /** Loads `text` as a config file with environment `env`. */
  load(text: string, env?: NodeJS.ProcessEnv): ResolvedConfig;
  /** The ConfigError lines for `text`; throws when it loads. */
  problemsOf(text: string, env?: NodeJS.ProcessEnv): string[];
}

/** Registers `beforeEach`/`afterEach` for a temporary folder named `<prefix>XXXXXX` and returns its helpers. */
export function useConfigSandbox(prefix: string): ConfigSandbox {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const sandbox: ConfigSandbox = {
    get dir() {
      return dir;
    },
    file(text, name = 'hub.yaml') {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    load(text, env = {}) {
      return loadConfig(sandbox.file(text), { env, cwd: dir });
    },
    problemsOf(text, env = {}) {
      try {
        sandbox.load(text, env);
      } catch (err) {
        if (err instanceof ConfigError) return [...err.problems];
        throw err;
      }
      throw new Error('expected a ConfigError');
    },
  };
  return sandbox;
}
