/**
 * The one translation of a failed Kubernetes API call into a MedicError, for the reader, the writer and (through
 * the writer) remediation. Whether it is permanent follows the one rule for upstream HTTP answers
 * (`isPermanentStatus`): the API server said no (forbidden, not found, invalid, conflict) → permanent, retrying
 * cannot help; it did not answer, timed out, failed (5xx) or throttled (429) → transient, retry with backoff.
 */
import { ApiException } from '@kubernetes/client-node';
import { errorMessage, isPermanentStatus, MedicError, type MedicErrorCode } from '../errors.js';

/** A failed Kubernetes API call: playbooks turn it into evidence and `partial`, jobs retry it when transient. */
export class KubeError extends MedicError {}

export function isKubeError(error: unknown): error is KubeError {
  return error instanceof KubeError;
}

/** The status the API server answered a failed call with; 0 when it did not answer. */
export function kubeStatus(error: unknown): number {
  return error instanceof ApiException ? error.code : 0;
}

function codeOf(status: number): MedicErrorCode {
  if (status === 401 || status === 403) return 'FORBIDDEN';
  if (status === 404 || status === 410) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  return isPermanentStatus(status) ? 'BAD_REQUEST' : 'KUBE_API';
}

/** The API server's reason from a v1.Status body; a proxy's HTML page is shown as a short excerpt. */
function statusReason(body: unknown): string | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    if (body === '') return undefined;
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.slice(0, 200);
    }
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const { message, reason } = parsed as { message?: unknown; reason?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  return typeof reason === 'string' && reason !== '' ? reason : undefined;
}

/**
 * A MedicError that says what Medic tried (`action`, a verb phrase: "patch Deployment ads/api"), what the API
 * server answered and whether to retry. A MedicError passes through unchanged.
 */
export function toKubeError(error: unknown, action: string): MedicError {
  if (error instanceof MedicError) return error;
  const status = kubeStatus(error);
  if (status === 0) {
    const aborted = error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
    const why = aborted ? 'timed out or aborted' : errorMessage(error);
    return new KubeError('UNAVAILABLE', `Kubernetes API unreachable while trying to ${action}: ${why}`, {
      status,
      cause: error,
    });
  }
  const permanent = isPermanentStatus(status);
  const reason = statusReason((error as ApiException<unknown>).body);
  const message = `Kubernetes API ${permanent ? 'refused' : 'failed'} to ${action}${reason ? `: ${reason}` : ''} (HTTP ${status})`;
  return new KubeError(codeOf(status), message, { status, permanent, cause: error });
}
