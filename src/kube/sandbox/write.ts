/** Writes: create, replace, patch, delete, and the scale subresource. */
import type { IncomingMessage } from 'node:http';
import type { Route } from './router.js';
import { methodNotAllowed } from './status.js';
import type { SandboxStore } from './store.js';

export interface WriteResult {
  status: number;
  body: unknown;
}

export async function handleWrite(
  _store: SandboxStore,
  _route: Extract<Route, { kind: 'resource' }>,
  method: string,
  _req: IncomingMessage,
  _query: URLSearchParams,
): Promise<WriteResult> {
  throw methodNotAllowed(method);
}
