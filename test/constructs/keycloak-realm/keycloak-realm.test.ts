import { Chart, Testing } from 'cdk8s';
import { ClientKind, KeycloakRealm } from '../../../constructs/keycloak-realm';

describe('KeycloakRealm', () => {
  test('fails when redirect URIs are not https, a public client asks for service accounts, or an audience is unknown', () => {
    const chart = new Chart(Testing.app(), 't');
    expect(
      () =>
        new KeycloakRealm(chart, 'R', {
          realm: 'r',
          namespace: 'security',
          groups: ['a', 'a'],
          clients: [{ clientId: 'web', kind: ClientKind.PUBLIC, redirectUris: ['http://x/*', '*'], serviceAccounts: true, audiences: ['nope'] }],
        }),
    ).toThrow(/groups: must be unique[\s\S]*redirectUris\[0\][\s\S]*redirectUris\[1\][\s\S]*serviceAccounts[\s\S]*audiences\[0\]/);
  });
});
