import { describe, expect, it } from 'vitest';
import { cleanExit } from '../../src/diagnosis/clean-exits.js';
import type { Container, Pod } from '../../src/kube/reader.js';

const pod = (restartPolicy?: string) => ({ metadata: { name: 'w-1' }, spec: { containers: [], restartPolicy } }) as Pod;
const shell = (script: string): Container => ({ name: 'worker', command: ['/bin/sh', '-c'], args: [script] });

describe('a container that exits with code 0 under restartPolicy Always', () => {
  it('names a command that backgrounds the process and ends', () => {
    expect(cleanExit(pod(), shell('/app/worker --queue jobs &'), 0)).toContain('starts the process in the background');
    expect(cleanExit(pod('Always'), shell('service nginx start'), 0)).toContain('in the background');
  });

  it('calls any other clean exit a finished task, with its command', () => {
    const words = cleanExit(pod(), shell('/app/migrate && echo done'), 0) ?? '';
    expect(words).toContain('("/bin/sh -c /app/migrate && echo done") finishes');
    expect(words).toContain('belongs in a Job');
    expect(cleanExit(pod(), shell('/app/server & wait'), 0)).not.toContain('background');
  });

  it('says nothing for a failed exit or a pod that does not restart its containers', () => {
    expect(cleanExit(pod(), shell('/app/worker &'), 1)).toBeNull();
    expect(cleanExit(pod('Never'), shell('/app/worker &'), 0)).toBeNull();
    expect(cleanExit(pod('OnFailure'), shell('/app/worker'), 0)).toBeNull();
  });
});
