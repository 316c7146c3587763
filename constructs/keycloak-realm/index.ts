export * from './representation';
export * from './keycloak-realm';
