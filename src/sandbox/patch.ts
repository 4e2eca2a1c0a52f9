/** The three patch types of the API server: JSON patch (fast-json-patch), JSON merge patch and strategic merge. */
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import type { KubeObject } from './object.js';
import { isRecord } from './object.js';
import type { ResourceType } from './resources.js';
import { ApiError, badRequest, invalid } from './status.js';
import { strategicMerge } from './strategic-merge.js';

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

/** RFC 7386: objects merge recursively, `null` deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** The patch type from a Content-Type header. @throws ApiError 415 for any other type. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if ((PATCH_TYPES as readonly string[]).includes(mediaType)) return mediaType as PatchType;
  throw new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
  );
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

/** Applies a patch body of the given type to a copy of `object`. Strategic merge needs a built-in kind. */
export function applyPatch(type: ResourceType, object: KubeObject, patchType: PatchType, body: string): unknown {
  const patch = parseBody(body);
  if (patchType === 'application/merge-patch+json') return mergePatch(object, patch);
  if (patchType === 'application/strategic-merge-patch+json') {
    if (!isRecord(patch)) throw badRequest('error decoding patch: a strategic merge patch must be a JSON object');
    return strategicMerge(object, patch);
  }
  if (!Array.isArray(patch)) {
    throw badRequest('json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
  }
  try {
    return fastJsonPatch.applyPatch(structuredClone(object), patch as Operation[], true, true).newDocument;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw invalid(type, object.metadata.name, [
      { reason: 'FieldValueInvalid', field: 'patch', message: `Invalid value: ${reason}` },
    ]);
  }
}
