/**
 * A keep-alive HTTP client for tests that send thousands of requests to a local server: node:http with a
 * pooled agent costs a third of what fetch does per request on this machine.
 */
import { Agent, request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface HttpClient {
  send(method: string, url: string, body?: string | Uint8Array, headers?: Record<string, string>): Promise<RawResponse>;
  close(): void;
}

export function createHttpClient(timeoutMs = 10_000): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  return {
    send(method, url, body, headers = {}) {
      return new Promise((resolve, reject) => {
        const req = request(url, { method, agent, headers, timeout: timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
