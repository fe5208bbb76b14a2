import type { AuthServerOptions } from '@tessera/core';
import type { ServerConfig } from './load-config.js';

/** The protocol engine's options, taken from the server's settings (shared by `serve` and the CLI). */
export function authOptions(config: ServerConfig): AuthServerOptions {
  return {
    issuer: config.issuer,
    accessTokenTtl: config.accessTokenTtl,
    maxAccessTokenTtl: config.maxAccessTokenTtl,
    signingAlgorithms: config.signingAlgorithms,
    jwksMaxAge: config.jwksMaxAge,
    keyRotationInterval: config.keyRotationInterval,
    keyPrePublication: config.keyPrePublication,
    keyRetirementMargin: config.keyRetirementMargin,
  };
}
