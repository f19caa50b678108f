import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem } from '../problem.js';
import { bearerChallenge, type Authenticator } from './authenticator.js';

/**
 * Enforces the scopes an operation's `security` requirement names. Health, metrics and the
 * document itself declare `security: []` and pass without a token.
 */
export function authorize(authenticator: Authenticator | null, requiredScopes: readonly string[] | null): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // null authenticator: auth disabled by the explicit development flag (warned at start-up).
    if (requiredScopes === null || authenticator === null) {
      next();
      return;
    }
    authenticator.authenticate(req.header('authorization')).then(
      (principal) => {
        const missing = requiredScopes.filter((s) => !principal.scopes.has(s));
        if (missing.length > 0) {
          const detail = `the token lacks the scope ${missing.join(', ')}`;
          const headers = bearerChallenge({ code: 'insufficient_scope', description: detail, scope: requiredScopes.join(' ') });
          next(new HttpProblem('CATALOG_FORBIDDEN', detail, { headers }));
          return;
        }
        res.locals['principal'] = principal.subject;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}
