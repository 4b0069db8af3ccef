/**
 * Why a loopback server needs guarding: any page the operator opens can send requests to
 * `127.0.0.1`. Three rules close that:
 * - DNS rebinding: a foreign name that resolves to 127.0.0.1 arrives with its own `Host`; only the
 *   served address is answered.
 * - Cross-site requests: a state-changing request must come from this origin (`Origin`) and carry
 *   the per-server token, which only a page served by this server can read (it is in its HTML; the
 *   same-origin policy keeps other pages out). A custom header also forces a CORS preflight, which
 *   this server never grants.
 * - `--read-only`: every state-changing request is refused with 405, whatever it carries.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ERROR_CODES } from '../../lib/index.js';
import { TOKEN_HEADER } from '../shared/api.js';
import { DashboardError } from './errors.js';

/** A fresh token per server start: 32 random bytes, hex. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The Content-Security-Policy of every answer: nothing but this origin, no inline script. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface GuardOptions {
  /** `127.0.0.1:<port>`, known once the server listens. */
  readonly host: () => string;
  readonly token: string;
  readonly readOnly: boolean;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Refuses requests by the rules above; adds the security headers to every answer. */
export function guard(options: GuardOptions): MiddlewareHandler {
  return async (c, next) => {
    // First, so that refusals carry them too.
    c.header('content-security-policy', CONTENT_SECURITY_POLICY);
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('cross-origin-opener-policy', 'same-origin');
    c.header('cross-origin-resource-policy', 'same-origin');
    const host = options.host();
    if (c.req.header('host') !== host) {
      throw new DashboardError(ERROR_CODES.foreignHost, `This dashboard answers only to Host ${host}`);
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      if (options.readOnly) {
        throw new DashboardError(
          ERROR_CODES.readOnly,
          'This dashboard is read-only (--read-only): no actions',
        );
      }
      if (c.req.header('origin') !== `http://${host}`) {
        throw new DashboardError(
          ERROR_CODES.foreignOrigin,
          'Actions are accepted only from the dashboard’s own pages',
        );
      }
      if (!sameToken(c.req.header(TOKEN_HEADER), options.token)) {
        throw new DashboardError(
          ERROR_CODES.badToken,
          `Actions need the ${TOKEN_HEADER} header of this server`,
        );
      }
      if (!(c.req.header('content-type') ?? '').startsWith('application/json')) {
        throw new DashboardError(ERROR_CODES.unsupportedMediaType, 'Actions take a JSON body');
      }
    }
    await next();
  };
}
