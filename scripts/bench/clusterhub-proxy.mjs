// clusterhub with its built-in proxy and one extra route, /user/bench/ -> TARGET, for the proxy
// rows (the hub's API cannot add a route to nothing). The route has no `jupyterhub` marker, so
// the hub's route reconciliation leaves it alone. Usage:
//   node clusterhub-proxy.mjs DATA_DIR PUBLIC_PORT INTERNAL_PORT TARGET
/* global process */
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { loadConfig } = require('../../packages/hub-service/lib/config/load.js');
const { buildHub } = require('../../packages/hub-service/lib/app.js');

const [dataDir, pub, internal, target] = process.argv.slice(2);
mkdirSync(dataDir, { recursive: true });
const configPath = join(dataDir, '..', 'bench-proxy-config.yaml');
writeFileSync(configPath, `hub:\n  public: { ip: 127.0.0.1, port: ${pub} }\n  internal: { ip: 127.0.0.1, port: ${internal} }\n  dataDir: ${JSON.stringify(dataDir)}\n`);
const hub = await buildHub(loadConfig(configPath));
await hub.start();
await hub.proxy.addRoute('/user/bench/', target, { bench: true });
const stop = () => hub.stop().then(() => process.exit(0), () => process.exit(1));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
