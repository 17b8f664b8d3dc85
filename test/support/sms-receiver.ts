import http from 'node:http';
import type { SmsRequest } from '../../activities/sms';

/**
 * A local SMS gateway for the `webhook` provider: answers the first `failFirst` POSTs with 503, then
 * `status`; keeps every body received, in order.
 */
export function smsReceiver(opts: { failFirst?: number; status?: number } = {}) {
  const received: SmsRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      received.push(JSON.parse(body) as SmsRequest);
      res.statusCode = received.length <= (opts.failFirst ?? 0) ? 503 : (opts.status ?? 204);
      res.end();
    });
  });
  return {
    received,
    uniqueMessages: () => new Set(received.map((r) => r.messageId)).size,
    url: () => `http://127.0.0.1:${(server.address() as { port: number }).port}/sms`,
    start: () => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
    stop: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
