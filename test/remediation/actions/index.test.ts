import { describe, expect, it } from 'vitest';
import { ACTION_HANDLERS } from '../../../src/remediation/actions/index.js';
import { ACTION_KINDS } from '../../../src/vocabulary.js';

describe('action handlers', () => {
  it('cover every action kind of the vocabulary, each registered under its own kind', () => {
    expect(Object.keys(ACTION_HANDLERS).sort()).toEqual([...ACTION_KINDS].sort());
    for (const kind of ACTION_KINDS) expect(ACTION_HANDLERS[kind].kind).toBe(kind);
  });
});
