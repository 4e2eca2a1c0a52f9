import { describe, expect, it } from 'vitest';
import { connectionSlotsFull } from '../../src/diagnosis/connection-limits.js';

describe('a server out of connection slots', () => {
  it('names the server from its own wording and says more replicas make it worse', () => {
    const cases: [string, string][] = [
      ['FATAL:  sorry, too many clients already', 'PostgreSQL'],
      ['FATAL: remaining connection slots are reserved for roles with the SUPERUSER attribute', 'PostgreSQL'],
      ['Error: ER_CON_COUNT_ERROR: Too many connections', 'MySQL'],
      ['ReplyError: ERR max number of clients reached', 'Redis'],
    ];
    for (const [line, server] of cases) {
      const words = connectionSlotsFull([line]) ?? '';
      expect(words).toContain(`the ${server} server refuses new connections`);
      expect(words).toContain('more replicas (a scale-up, an HPA) take more slots');
    }
  });

  it('says nothing of a refused connection or a rejected password', () => {
    expect(connectionSlotsFull(['dial tcp 10.96.0.5:5432: connect: connection refused'])).toBeNull();
    expect(connectionSlotsFull(['FATAL: password authentication failed for user "app"'])).toBeNull();
  });
});
