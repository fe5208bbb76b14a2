import { randomInt, randomUUID } from 'node:crypto';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import { randomToken, sha256 } from '../encoding.js';
import type { Engine } from '../engine.js';
import { OAuthError } from '../errors.js';
import { DuplicateError } from '../ports/store.js';
import { optionalParam, repeatedParam, type EndpointRequest } from '../request.js';
import { grantScopes, parseScope } from '../scope.js';
import type { DeviceCodeRecord } from './model.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export const DEVICE_CODE_PREFIX = 'tdc_';
/** RFC 8628 §6.1: 20 consonants — no vowels (no words), no 0/O or 1/I lookalikes. 20^8 ≈ 2^34.6. */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** Shown to people as XXXX-XXXX. */
export const formatUserCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;

/** What a person typed → the stored form: upper case, separators dropped; undefined if it cannot be a code. */
export function normaliseUserCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== USER_CODE_LENGTH || [...code].some((c) => !USER_CODE_ALPHABET.includes(c))) return undefined;
  return code;
}

/** RFC 8628 §3.1–3.2: the device authorization endpoint. */
export async function deviceAuthorizationEndpoint(engine: Engine, request: EndpointRequest): Promise<DeviceAuthorizationResponse> {
  const client = await authenticateClient(engine.clientAuth, request, { allowPublic: true });
  if (!client.grantTypes.includes(DEVICE_CODE_GRANT)) throw new OAuthError('unauthorized_client', 'this client may not use the device flow');
  const scopes = grantScopes(parseScope(optionalParam(request.params, 'scope')), client.scopes, client.defaultScopes);
  const resources = repeatedParam(request.params, 'resource');
  if (resources.some((r) => !client.audiences.includes(r))) {
    throw new OAuthError('invalid_target', 'the requested resource is not one this client may obtain tokens for');
  }
  const now = engine.clock.now();
  const { deviceCodeTtl, devicePollInterval } = engine.login.config;
  const deviceCode = randomToken(DEVICE_CODE_PREFIX);
  for (let attempt = 0; ; attempt++) {
    const userCode = newUserCode();
    const record: DeviceCodeRecord = {
      hash: sha256(deviceCode),
      userCode,
      clientId: client.id,
      scopes,
      resources: [...new Set(resources)],
      state: 'pending',
      userId: null,
      sessionId: null,
      authTime: null,
      familyId: `tf_${randomUUID()}`,
      interval: devicePollInterval,
      lastPolledAt: null,
      createdAt: now,
      expiresAt: now + deviceCodeTtl * 1000,
    };
    try {
      await engine.store.insertDeviceCode(record);
    } catch (error) {
      if (error instanceof DuplicateError && attempt < 5) continue;
      throw error;
    }
    engine.events.emit({ type: 'device.authorization_started', time: now, clientId: client.id, ip: request.context.ip, userAgent: request.context.userAgent, outcome: 'success' });
    const verificationUri = `${engine.config.issuer}/device`;
    return {
      device_code: deviceCode,
      user_code: formatUserCode(userCode),
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${formatUserCode(userCode)}`,
      expires_in: deviceCodeTtl,
      interval: devicePollInterval,
    };
  }
}
