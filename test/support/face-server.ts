import http from 'node:http';
import { randomBytes } from 'node:crypto';

/**
 * A local face verification provider for the `http` adapter (activities/face-verification.ts):
 * `POST /sessions` makes a session and a result token (what the app would get from the provider's
 * capture: `tokenOf`); `POST /sessions/<id>/result` answers PASS for that token, FAIL for another,
 * 404 for a session it never made. The first `failFirst` requests answer 503; with `stallMs`, the
 * first `stallFirst` requests answer only after that long. Keeps every request, in order.
 */
export function faceServer(opts: { failFirst?: number; stallFirst?: number; stallMs?: number } = {}) {
  const requests: { path: string; body: Record<string, unknown> }[] = [];
  const sessions = new Map<string, { token: string; reference: string; customerId: string }>();
  let n = 0;
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => { text += c.toString(); });
    req.on('end', () => {
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      requests.push({ path: req.url ?? '', body });
      const index = requests.length;
      const answer = (status: number, json?: unknown) => {
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(json === undefined ? '' : JSON.stringify(json));
      };
      const respond = () => {
        if (index <= (opts.failFirst ?? 0)) return answer(503, { error: 'busy' });
        if (req.method === 'POST' && req.url === '/sessions') {
          n += 1;
          const sessionId = `fs-${n}-${randomBytes(6).toString('hex')}`;
          sessions.set(sessionId, { token: randomBytes(16).toString('base64url'), reference: String(body.reference), customerId: String(body.customerId) });
          return answer(201, { sessionId, url: `https://face.example/capture/${sessionId}` });
        }
        const match = /^\/sessions\/([^/]+)\/result$/.exec(req.url ?? '');
        if (req.method === 'POST' && match) {
          const session = sessions.get(decodeURIComponent(match[1]!));
          if (!session) return answer(404, { error: 'no such session' });
          return answer(200, { outcome: body.resultToken === session.token ? 'PASS' : 'FAIL' });
        }
        return answer(404);
      };
      if (opts.stallMs && index <= (opts.stallFirst ?? 0)) setTimeout(respond, opts.stallMs);
      else respond();
    });
  });
  return {
    requests,
    sessions,
    tokenOf: (sessionId: string) => sessions.get(sessionId)?.token,
    url: () => `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    start: () => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
    stop: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
