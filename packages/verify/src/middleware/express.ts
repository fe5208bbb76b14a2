import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TesseraClaims } from '../claims.js';
import { createAuthenticator, Rejection, type AuthOptions, type AuthOutcome } from './bearer.js';

export type { AuthOptions } from './bearer.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified token's claims, set by requireAuth. */
      auth?: TesseraClaims;
    }
  }
}

/** Express middleware: verifies the bearer token, sets `req.auth`, or answers with an RFC 6750 challenge. */
export function requireAuth(options: AuthOptions): RequestHandler {
  const authenticate = createAuthenticator(options);
  const finish = (outcome: AuthOutcome, req: Request, res: Response, next: NextFunction): void => {
    if (outcome instanceof Rejection) {
      res.status(outcome.status).set(outcome.headers).send(outcome.body);
      return;
    }
    req.auth = outcome;
    next();
  };
  return function tesseraAuth(req, res, next) {
    const outcome = authenticate(req.headers.authorization, req.originalUrl);
    if (outcome instanceof Promise) outcome.then((result) => finish(result, req, res, next), next);
    else finish(outcome, req, res, next);
  };
}
