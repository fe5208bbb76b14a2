import type { ClientRecord } from '@tessera/core';
import { formatDuration } from '../config/durations.js';

/** A client as shown to operators: everything but secret hashes. */
export function clientView(client: ClientRecord, now = Date.now()): Record<string, unknown> {
  const { secrets, ...rest } = client;
  return {
    ...rest,
    secrets: secrets.map((s) => ({
      createdAt: new Date(s.createdAt).toISOString(),
      expiresAt: s.expiresAt === null ? null : new Date(s.expiresAt).toISOString(),
      active: s.expiresAt === null || s.expiresAt > now,
    })),
    createdAt: new Date(client.createdAt).toISOString(),
    updatedAt: new Date(client.updatedAt).toISOString(),
  };
}

export function describeClient(client: ClientRecord): string {
  const lines = [
    `client_id:    ${client.id}`,
    `name:         ${client.name}`,
    `status:       ${client.disabled ? 'disabled' : 'enabled'}`,
    `auth method:  ${client.authMethod}`,
    `grant types:  ${client.grantTypes.join(' ')}`,
    `scopes:       ${client.scopes.join(' ') || '(none)'}`,
    `default:      ${client.defaultScopes.join(' ') || '(none)'}`,
    `audiences:    ${client.audiences.join(' ') || '(none)'}`,
  ];
  if (client.redirectUris.length > 0) lines.push(`redirect URIs: ${client.redirectUris.join(' ')}`);
  if ((client.postLogoutRedirectUris ?? []).length > 0) lines.push(`post-logout:  ${(client.postLogoutRedirectUris ?? []).join(' ')}`);
  if (client.firstParty) lines.push('first party:  yes (no consent screen)');
  if (client.tokenTtl !== null) lines.push(`token TTL:    ${formatDuration(client.tokenTtl)}`);
  if (client.signingAlg !== null) lines.push(`signing alg:  ${client.signingAlg}`);
  if (client.jwksUri !== null) lines.push(`jwks URI:     ${client.jwksUri}`);
  if (client.jwks !== null) lines.push(`jwks:         ${client.jwks.keys.length} key(s)`);
  const live = client.secrets.filter((s) => s.expiresAt === null || s.expiresAt > Date.now());
  if (client.secrets.length > 0) lines.push(`secrets:      ${live.length} active`);
  lines.push(`created:      ${new Date(client.createdAt).toISOString()}`);
  return lines.join('\n');
}
