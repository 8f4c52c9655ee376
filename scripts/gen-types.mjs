// Generates packages/shared/src/generated/*.ts from schema/ (JSON Schema is the source of truth).
// Usage: node scripts/gen-types.mjs [--check]   (--check fails when the committed copy is stale)
import { compileFromFile } from 'json-schema-to-typescript';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'packages/shared/src/generated');
const check = process.argv.includes('--check');
const header = '/* eslint-disable */\n/** Generated from schema/ by scripts/gen-types.mjs: do not edit; run `npm run gen`. */\n';
const targets = [['schema/config/hub-config.schema.json', 'config.ts']];

let stale = false;
for (const [src, out] of targets) {
  const ts = await compileFromFile(join(root, src), {
    bannerComment: header,
    cwd: join(root, dirname(src)),
    declareExternallyReferenced: true,
    additionalProperties: false,
    style: { singleQuote: true, printWidth: 110 },
  });
  const dest = join(outDir, out);
  if (check) {
    if (!existsSync(dest) || readFileSync(dest, 'utf8') !== ts) {
      console.error(`stale: ${dest} (run npm run gen)`);
      stale = true;
    }
  } else {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(dest, ts);
    console.log(`wrote ${dest}`);
  }
}
process.exit(stale ? 1 : 0);
