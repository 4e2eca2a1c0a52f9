/** One field format for every parse error Medic reports: `alerts[0].labels.severity`, under a root, or the whole. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { firstIssue } from '../src/zod-issue.js';

const schema = z.object({ alerts: z.array(z.object({ labels: z.object({ severity: z.string() }) })).min(1) });
const errorOf = (value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected a parse error');
  return result.error;
};

describe('firstIssue', () => {
  it('names a nested field with array indexes in brackets', () => {
    const issue = firstIssue(errorOf({ alerts: [{ labels: {} }] }));
    expect(issue.field).toBe('alerts[0].labels.severity');
    expect(issue.message).toMatch(/expected string/);
  });

  it('puts the field under a root when the value sits inside something else', () => {
    expect(firstIssue(errorOf({ alerts: [] }), { under: 'params' }).field).toBe('params.alerts');
    expect(firstIssue(errorOf({ alerts: [{ labels: 1 }] }), { under: 'params' }).field).toBe('params.alerts[0].labels');
  });

  it('names the whole value when the issue is about it', () => {
    expect(firstIssue(errorOf([]), { whole: '(body)' }).field).toBe('(body)');
    expect(firstIssue(errorOf([]), { under: 'payload', whole: '(body)' }).field).toBe('payload');
  });
});
