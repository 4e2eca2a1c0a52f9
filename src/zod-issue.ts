/**
 * The one way a failed zod parse becomes the field an error names (`MedicError.field`, the 400 body, the
 * config error): the first issue's path as `alerts[0].labels.severity`, under `under` when the value sits inside
 * something else (`params.replicas`), or `whole` when the issue is about the value itself; and zod's message.
 */
import type { ZodError } from 'zod';

export interface IssueField {
  field: string;
  message: string;
}

export function firstIssue(error: ZodError, options: { under?: string; whole?: string } = {}): IssueField {
  const issue = error.issues[0];
  const path = (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const field = `${options.under ?? ''}${path}`.replace(/^\./, '');
  return { field: field || (options.whole ?? ''), message: issue?.message ?? 'is invalid' };
}
