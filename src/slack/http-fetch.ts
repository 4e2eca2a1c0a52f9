/**
 * A `fetch` for the Slack WebClient built on node:http(s) with one keep-alive agent per protocol. The WebClient
 * sends every Web API call as one url-encoded string body and reads the answer whole; for that, the global
 * fetch (undici, web streams, a Request and a Response object per call) cost about three times the CPU of a
 * plain http.request in `bench:cost` profiles — a quarter of Medic's CPU per alert went to two Slack posts.
 * Only what the WebClient uses is implemented: string bodies (anything else, e.g. a file upload's FormData,
 * goes to the global fetch), `redirect: 'error'`, `signal`, and a response with status, headers, text/json.
 */
import http from 'node:http';
import https from 'node:https';

type FetchInput = Parameters<typeof fetch>[0];

/** The parts of a fetch Response the WebClient reads. */
class HttpResponse {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  readonly headers: Headers;
  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    raw: http.IncomingHttpHeaders,
    private readonly body: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
    const headers = new Headers();
    for (const [name, value] of Object.entries(raw)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
    }
    this.headers = headers;
  }
  async text(): Promise<string> {
    return this.body.toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.body.toString('utf8'));
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.body.buffer.slice(this.body.byteOffset, this.body.byteOffset + this.body.byteLength) as ArrayBuffer;
  }
}

function urlOf(input: FetchInput): URL {
  if (typeof input === 'string') return new URL(input);
  if (input instanceof URL) return input;
  return new URL(input.url);
}

function headersOf(init: RequestInit | undefined): http.OutgoingHttpHeaders {
  const given = init?.headers;
  // The WebClient passes a plain object; anything else goes through Headers.
  if (given && !(given instanceof Headers) && !Array.isArray(given)) return { ...(given as Record<string, string>) };
  const out: http.OutgoingHttpHeaders = {};
  new Headers(given).forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

export function createHttpFetch(): typeof fetch {
  const agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  const httpFetch = (input: FetchInput, init?: RequestInit): Promise<Response> => {
    const body = init?.body;
    if (body !== undefined && body !== null && typeof body !== 'string') return fetch(input, init);
    const url = urlOf(input);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') return fetch(input, init);
    const headers = headersOf(init);
    if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise<Response>((resolve, reject) => {
      const request = (secure ? https : http).request(
        url,
        {
          method: init?.method ?? 'GET',
          headers,
          agent: secure ? agents.https : agents.http,
          ...(init?.signal ? { signal: init.signal } : {}),
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 300 && status < 400 && init?.redirect === 'error') {
            response.resume();
            reject(new TypeError(`fetch failed: redirect (${status}) from ${url.href}`));
            return;
          }
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const message = response.statusMessage ?? '';
            resolve(new HttpResponse(url.href, status, message, response.headers, Buffer.concat(chunks)) as never);
          });
        },
      );
      request.on('error', reject);
      request.end(body ?? undefined);
    });
  };
  return httpFetch as typeof fetch;
}
