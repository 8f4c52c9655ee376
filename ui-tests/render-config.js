#!/usr/bin/env node
/**
 * Renders a config template: every `${NAME}` or `${NAME:-default}` becomes the environment
 * variable NAME (when set and not empty), else the default. A placeholder without a default whose
 * variable is unset is an error. Usage: node render-config.js TEMPLATE > OUTPUT
 */
'use strict';
const { readFileSync } = require('node:fs');

/** Replaces the placeholders of `text` from `env`. */
function render(text, env) {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_match, name, fallback) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new Error(`render-config: ${name} is not set and its placeholder has no default`);
  });
}

if (require.main === module) {
  const [template] = process.argv.slice(2);
  if (!template) {
    console.error('usage: node render-config.js TEMPLATE > OUTPUT');
    process.exit(2);
  }
  process.stdout.write(render(readFileSync(template, 'utf8'), process.env));
}

module.exports = { render };
