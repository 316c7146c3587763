export * from './certificate';
export * from './kong';
export * from './public-ingress';
export * from './cluster-issuer';
export * from './controller-policies';
