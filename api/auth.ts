import type { NextFunction, Request, Response } from 'express';
import { jwtVerify, SignJWT } from 'jose';
import type { Actor } from '../domain/audit';
import { problems } from './problem';

export type Role = 'customer' | 'support' | 'admin';
export interface Principal { subject: string; role: Role }

declare module 'express-serve-static-core' {
  interface Request { principal?: Principal }
}

const ROLES: readonly Role[] = ['customer', 'support', 'admin'];

/** Verifies `Authorization: Bearer <JWT>` (HS256, `sub`, `role`, `exp`) and sets `req.principal`. */
export function authenticate(secret: string) {
  const key = new TextEncoder().encode(secret);
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) throw problems.unauthorized('a Bearer token is required');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] }));
    } catch {
      throw problems.unauthorized('the token is invalid or expired');
    }
    const role = payload.role as Role;
    if (typeof payload.sub !== 'string' || !payload.sub || !ROLES.includes(role)) throw problems.unauthorized('the token has no valid sub or role');
    req.principal = { subject: payload.sub, role };
    next();
  };
}

/** Who a caller is in the audit trail: a customer, a staff member, or the platform (its service token, role admin). */
export function actorOf(principal: Principal): Actor {
  return { type: principal.role === 'customer' ? 'customer' : principal.role === 'support' ? 'staff' : 'platform', id: principal.subject };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw problems.unauthorized('a Bearer token is required');
  return req.principal;
}

export function requireRole(...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!roles.includes(principalOf(req).role)) throw problems.forbidden(`this needs the role ${roles.join(' or ')}`);
    next();
  };
}

export async function issueToken(secret: string, subject: string, role: Role, ttlSeconds = 12 * 3600): Promise<string> {
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));
}
