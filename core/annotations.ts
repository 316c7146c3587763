/**
 * Domain of the platform's own label and annotation keys: the default of every construct's
 * `labelDomain` prop (see `constructs/lib/contract.ts`).
 */
export const PLATFORM_DOMAIN = 'receivables.io';

/**
 * The annotation that exempts one object from a policy-gate rule. Its value holds one
 * `<rule-id>: <reason>` entry per line; an entry without a reason is itself an error. The gate
 * reads this key, so it stays fixed whatever `labelDomain` a library consumer chooses.
 */
export const EXEMPT_ANNOTATION = `policy.${PLATFORM_DOMAIN}/exempt`;
