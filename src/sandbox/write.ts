/** Writes: create (POST), replace (PUT), patch, delete, the `scale` and `status` subresources, and evictions. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { reconcile, templateChanged } from './controllers.js';
import { isRecord, type KubeObject } from './object.js';
import { applyPatch, patchTypeOf } from './patch.js';
import { getObject, scaleOf } from './read.js';
import type { ResourceType } from './resources.js';
import { rollOut } from './rollout.js';
import type { Route } from './router.js';
import { ApiError, badRequest, conflict, invalid, methodNotAllowed } from './status.js';
import type { SandboxStore } from './store.js';
import { validateObject } from './validate.js';
import { admitClaimResize, claimUpdateCauses, resizedClaim } from './volume-claims.js';

export interface WriteResult {
  status: number;
  body: unknown;
}

type ResourceRoute = Extract<Route, { kind: 'resource' }>;
interface WriteContext {
  store: SandboxStore;
  route: ResourceRoute;
  type: ResourceType;
  dryRun: boolean;
  body: string;
  contentType: string | undefined;
}

const MAX_BODY = 3 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw badRequest(`the object provided is unrecognized: ${(error as Error).message}`);
  }
}

function parseDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values)
    if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

function parseObject(ctx: WriteContext): KubeObject {
  let value: unknown;
  try {
    value = /yaml/.test(ctx.contentType ?? '') ? parseYaml(ctx.body) : JSON.parse(ctx.body);
  } catch (error) {
    throw badRequest(`the object provided is unrecognized (must be JSON or YAML): ${(error as Error).message}`);
  }
  if (!isRecord(value)) throw badRequest('the object provided is unrecognized: expected a JSON object');
  const { type, route } = ctx;
  const apiVersion = value.apiVersion ?? type.apiVersion;
  const kind = value.kind ?? type.kind;
  if (apiVersion !== type.apiVersion || kind !== type.kind) {
    throw badRequest(
      `the API version in the data (${String(apiVersion)}) and kind (${String(kind)}) do not match the request (${type.apiVersion}, ${type.kind})`,
    );
  }
  const metadata = isRecord(value.metadata) ? { ...value.metadata } : {};
  if (route.namespace !== undefined) {
    if (metadata.namespace !== undefined && metadata.namespace !== route.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    metadata.namespace = route.namespace;
  }
  return { ...value, apiVersion: type.apiVersion, kind: type.kind, metadata } as KubeObject;
}

/** Validates, runs the controllers, and stores (unless dry run) a new version of an existing object. */
function update(ctx: WriteContext, previous: KubeObject, next: KubeObject): KubeObject {
  const sentVersion = next.metadata.resourceVersion;
  if (sentVersion && sentVersion !== previous.metadata.resourceVersion)
    throw conflict(ctx.type, previous.metadata.name);
  if (next.metadata.name !== previous.metadata.name) {
    throw invalid(ctx.type, previous.metadata.name, [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "${next.metadata.name}": field is immutable`,
      },
    ]);
  }
  const fixed = {
    ...previous.metadata,
    ...next.metadata,
    uid: previous.metadata.uid,
    creationTimestamp: previous.metadata.creationTimestamp,
    namespace: previous.metadata.namespace,
    resourceVersion: previous.metadata.resourceVersion,
    generation: previous.metadata.generation,
  };
  if (previous.metadata.namespace === undefined) delete fixed.namespace;
  const candidate = { ...next, apiVersion: previous.apiVersion, kind: previous.kind, metadata: fixed };
  const isClaim = candidate.kind === 'PersistentVolumeClaim';
  const causes = [...validateObject(candidate, previous), ...(isClaim ? claimUpdateCauses(previous, candidate) : [])];
  if (causes.length) throw invalid(ctx.type, previous.metadata.name, causes);
  if (isClaim) admitClaimResize(ctx.store, previous, candidate);
  const reconciled = reconcile(candidate, previous);
  const stored = ctx.store.replace(isClaim ? resizedClaim(reconciled, previous) : reconciled, { dryRun: ctx.dryRun });
  if (!ctx.dryRun && templateChanged(previous, stored)) rollOut(ctx.store, stored);
  return stored;
}

function create(ctx: WriteContext): WriteResult {
  if (ctx.route.name !== undefined) throw methodNotAllowed('POST');
  const object = parseObject(ctx);
  const generateName = object.metadata.generateName;
  if (!object.metadata.name && typeof generateName === 'string' && generateName) {
    object.metadata.name = `${generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
  }
  if (!object.metadata.name) {
    throw invalid(ctx.type, '', [
      {
        reason: 'FieldValueRequired',
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
      },
    ]);
  }
  const causes = validateObject(object);
  if (causes.length) throw invalid(ctx.type, object.metadata.name, causes);
  const stored = ctx.store.create(reconcile(object, undefined), { dryRun: ctx.dryRun });
  return { status: 201, body: stored };
}

/** The new state of the scale subresource applied to its workload. */
function writeScale(ctx: WriteContext, workload: KubeObject, scale: unknown): WriteResult {
  const replicas = isRecord(scale) && isRecord(scale.spec) ? scale.spec.replicas : undefined;
  const name = workload.metadata.name;
  if (!Number.isInteger(replicas) || (replicas as number) < 0) {
    throw new ApiError(
      422,
      'Invalid',
      `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      {
        name,
        group: 'autoscaling',
        kind: 'Scale',
        causes: [
          {
            reason: 'FieldValueInvalid',
            field: 'spec.replicas',
            message: 'Invalid value: must be greater than or equal to 0',
          },
        ],
      },
    );
  }
  const sentVersion = isRecord(scale) && isRecord(scale.metadata) ? scale.metadata.resourceVersion : undefined;
  const next = {
    ...workload,
    metadata: { ...workload.metadata, resourceVersion: (sentVersion as string) || undefined },
    spec: { ...(workload.spec as object), replicas },
  };
  return { status: 200, body: scaleOf(update(ctx, workload, next as KubeObject)) };
}

function patchObject(ctx: WriteContext, current: KubeObject): WriteResult {
  const patchType = patchTypeOf(ctx.contentType);
  const sub = ctx.route.subresource;
  if (sub === 'scale')
    return writeScale(ctx, current, applyPatch(ctx.type, scaleOf(current) as KubeObject, patchType, ctx.body));
  const patched = applyPatch(ctx.type, current, patchType, ctx.body);
  if (!isRecord(patched) || !isRecord(patched.metadata)) throw badRequest('the patch removed the object metadata');
  const next = sub === 'status' ? { ...current, status: patched.status } : (patched as KubeObject);
  return { status: 200, body: update(ctx, current, next) };
}

function replaceObject(ctx: WriteContext, current: KubeObject): WriteResult {
  if (ctx.route.subresource === 'scale') return writeScale(ctx, current, parseJson(ctx.body));
  const next = parseObject(ctx);
  if (!next.metadata.name) next.metadata.name = current.metadata.name;
  const merged =
    ctx.route.subresource === 'status' ? { ...current, status: next.status, metadata: next.metadata } : next;
  return { status: 200, body: update(ctx, current, merged) };
}

/** Deletes an object and, unless orphaning, the objects it owns (as the garbage collector would). */
function deleteObject(ctx: WriteContext, current: KubeObject, query: URLSearchParams): WriteResult {
  const { store, type } = ctx;
  const deleted = store.delete(type, current.metadata.namespace, current.metadata.name, { dryRun: ctx.dryRun });
  if (!ctx.dryRun && query.get('propagationPolicy') !== 'Orphan') deleteDependents(store, current);
  return { status: 200, body: deleted };
}

function deleteDependents(store: SandboxStore, owner: KubeObject): void {
  const uid = owner.metadata.uid;
  const namespace = owner.metadata.namespace;
  for (const kind of [
    ['apps/v1', 'ReplicaSet'],
    ['v1', 'Pod'],
    ['batch/v1', 'Job'],
    ['apps/v1', 'ControllerRevision'],
  ] as const) {
    for (const dependent of store.list(kind[0], kind[1], namespace)) {
      const refs = dependent.metadata.ownerReferences;
      if (!Array.isArray(refs) || !refs.some((r) => isRecord(r) && r.uid === uid)) continue;
      store.delete(store.typeOf(dependent), dependent.metadata.namespace, dependent.metadata.name);
      deleteDependents(store, dependent);
    }
  }
}

function evict(ctx: WriteContext, pod: KubeObject): WriteResult {
  if (!ctx.dryRun) deleteObject(ctx, pod, new URLSearchParams());
  return { status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
}

export async function handleWrite(
  store: SandboxStore,
  route: ResourceRoute,
  method: string,
  req: IncomingMessage,
  query: URLSearchParams,
): Promise<WriteResult> {
  const { type } = route;
  const body = await readBody(req);
  const ctx: WriteContext = {
    store,
    route,
    type,
    dryRun: parseDryRun(query),
    body,
    contentType: req.headers['content-type'],
  };
  if (method === 'POST' && route.subresource === undefined) return create(ctx);
  if (route.name === undefined || route.subresource === 'log') throw methodNotAllowed(method);
  const current = getObject(store, type, route.namespace, route.name);
  if (method === 'POST' && route.subresource === 'eviction') return evict(ctx, current);
  if (method === 'PATCH') return patchObject(ctx, current);
  if (method === 'PUT') return replaceObject(ctx, current);
  if (method === 'DELETE' && route.subresource === undefined) return deleteObject(ctx, current, query);
  throw methodNotAllowed(method);
}
