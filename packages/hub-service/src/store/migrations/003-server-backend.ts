import type { DialectTypes, Migration } from './migration';

/**
 * The backend a server runs on (architecture.md decision 8): the name of its entry in `backends`
 * (`default` for the `spawner` section), kept with the handle so polling, stopping and re-adoption
 * after a restart go to the backend that holds it. Existing rows get null: the default backend.
 */
export const migration003ServerBackend: Migration = {
  version: 3,
  name: 'server-backend',
  statements: (t: DialectTypes) => [`ALTER TABLE servers ADD COLUMN backend ${t.name}`],
};
