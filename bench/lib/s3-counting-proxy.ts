/**
 * An HTTP proxy in front of the S3 endpoint that counts requests by S3 operation, so a service
 * process can be measured without changing it: point its `s3.endpoint` at the proxy. Path-style
 * requests only (as Tukang sends them to LocalStack); LocalStack does not check signatures, so the
 * proxy forwards the Host header as it came.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';

export type S3Operation = 'LIST' | 'GET' | 'HEAD' | 'PUT' | 'COPY' | 'DELETE' | 'MULTIPART' | 'OTHER';

export interface CountingProxy {
  url: string;
  counts: Map<S3Operation, number>;
  total(): number;
  snapshot(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

function operationOf(req: IncomingMessage): S3Operation {
  const url = new URL(req.url ?? '/', 'http://x');
  const q = url.searchParams;
  switch (req.method) {
    case 'GET':
      return q.has('list-type') || (url.pathname.split('/').filter(Boolean).length <= 1 && !q.has('uploadId')) ? 'LIST' : 'GET';
    case 'HEAD':
      return 'HEAD';
    case 'PUT':
      if (q.has('uploadId')) return 'MULTIPART';
      return req.headers['x-amz-copy-source'] ? 'COPY' : 'PUT';
    case 'DELETE':
      return 'DELETE';
    case 'POST':
      return q.has('delete') ? 'DELETE' : 'MULTIPART';
    default:
      return 'OTHER';
  }
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const to = new URL(target);
  const counts = new Map<S3Operation, number>();
  const server: Server = createServer((req, res) => {
    const op = operationOf(req);
    counts.set(op, (counts.get(op) ?? 0) + 1);
    const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (err) => {
      res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    snapshot: () => Object.fromEntries(counts),
    reset: () => counts.clear(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
