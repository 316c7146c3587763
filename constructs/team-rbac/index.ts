export * from './access-level';
export * from './team-rbac';
