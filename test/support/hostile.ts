import net from 'node:net';
import { SignJWT, type JWTPayload } from 'jose';
import { expect } from 'vitest';

/** What came back, with everything the caller sent that must never come back (tokens, secrets). */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Credentials sent with the request (the Authorization token); none may be echoed. */
  sent: string[];
}

export interface RawRequest {
  method: string;
  path: string;
  /** The whole token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** A raw Authorization header (for schemes other than a plain Bearer token). */
  authorization?: string;
  /** An object is sent as JSON; a string or Buffer as they are, byte for byte. */
  body?: unknown;
  /** Defaults to application/json when there is a body. */
  contentType?: string;
  headers?: Record<string, string>;
}

/** One request through fetch with the body exactly as given (malformed JSON, raw escapes, raw bytes). */
export async function send(baseUrl: string, r: RawRequest): Promise<Reply> {
  const authorization = r.authorization ?? (r.token !== undefined ? `Bearer ${r.token}` : undefined);
  const body = r.body === undefined ? undefined : typeof r.body === 'string' || Buffer.isBuffer(r.body) ? r.body : JSON.stringify(r.body);
  const res = await fetch(`${baseUrl}${r.path}`, {
    method: r.method,
    headers: {
      ...(authorization !== undefined ? { authorization } : {}),
      ...(body !== undefined ? { 'content-type': r.contentType ?? 'application/json' } : {}),
      ...r.headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
  return { status: res.status, headers: res.headers, text, body: json, sent: [r.token, authorization].filter((t): t is string => !!t && t.length >= 16) };
}

/**
 * One HTTP/1.1 request written byte for byte on a socket, for what Node's clients refuse to send
 * (control characters in a header value). Returns the status and the raw response text.
 */
export async function sendRaw(baseUrl: string, head: string[], body = ''): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(baseUrl);
  const text = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(Buffer.from([...head, `Host: ${hostname}:${port}`, 'Connection: close', `Content-Length: ${Buffer.byteLength(body, 'latin1')}`, '', body].join('\r\n'), 'latin1'));
    });
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => { out += d; });
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  });
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? NaN);
  return { status, text };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** An unsigned token (`alg: none`), built by hand: header.payload. with an empty signature. */
export function unsignedToken(payload: JWTPayload): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
}

/** A token with exactly the given claims and algorithm, signed with `secret` (right or wrong). */
export async function signedToken(secret: string, payload: JWTPayload, alg: 'HS256' | 'HS384' | 'HS512' = 'HS256'): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A short description of a reply, for assertion messages (what the server engineer needs to see). */
export function summary(res: { status: number; headers?: Headers; text: string }): string {
  const type = res.headers?.get('content-type') ?? '-';
  const text = res.text.length > 300 ? `${res.text.slice(0, 300)}…(${res.text.length} chars)` : res.text;
  return `got ${res.status} [${type}] ${text}`;
}

export interface ProblemExpectation {
  /** The acceptable statuses; never 500. */
  status: number | number[];
  /** The acceptable codes; omitted: any non-empty machine-readable code. */
  code?: string | string[];
  /** Fields `errors[].field` must include. */
  fields?: string[];
}

const STACK_TRACE = ['    at ', '.ts:', '.js:', 'node_modules'];
const SQL = ['select ', 'insert ', 'delete from', 'sqlstate', 'violates', 'syntax error', 'relation "', 'postgres'];

/**
 * The contract for every refused request (API.md Conventions): the right status, problem+json with a
 * stable code (and the offending fields), no stack trace, no SQL, no secret or token echoed.
 * Soft assertions, so one run lists everything wrong with a reply.
 */
export function expectProblem(name: string, res: Reply, want: ProblemExpectation, secrets: string[]): void {
  const about = `${name}: ${summary(res)}`;
  const statuses = ([] as number[]).concat(want.status);
  expect.soft(res.status, about).not.toBe(500);
  expect.soft(statuses, about).toContain(res.status);
  expect.soft(res.headers.get('content-type') ?? '', about).toContain('application/problem+json');
  const body = typeof res.body === 'object' && res.body !== null ? res.body : {};
  expect.soft(typeof body.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(body.code), `${about} (code must be a non-empty UPPER_SNAKE string)`).toBe(true);
  if (want.code !== undefined) expect.soft(([] as string[]).concat(want.code), about).toContain(body.code);
  expect.soft(body.status, `${about} (problem status member)`).toBe(res.status);
  if (want.fields) {
    const fields = Array.isArray(body.errors) ? body.errors.map((e: { field?: unknown }) => e.field) : [];
    expect.soft(fields, `${about} (errors[].field)`).toEqual(expect.arrayContaining(want.fields));
  }
  const lower = res.text.toLowerCase();
  for (const marker of STACK_TRACE) expect.soft(res.text.includes(marker), `${about} (contains stack-trace marker ${JSON.stringify(marker)})`).toBe(false);
  for (const marker of SQL) expect.soft(lower.includes(marker), `${about} (contains SQL marker ${JSON.stringify(marker)})`).toBe(false);
  for (const secret of [...secrets, ...res.sent]) expect.soft(res.text.includes(secret), `${about} (echoes a secret or token)`).toBe(false);
}
