/** @clusterhub/shared: types, schemas and pure logic used by the hub and the Lab extension. */
export * from './error-codes';
export * from './server-state';
export * from './names';
export * from './api-paths';
export * from './models';
export * from './batch-models';
export * from './culling-models';
export * from './audit-budget-models';
export * from './scopes';
export * from './profiles';
export * from './local-limits';
export type * from './generated/config';
