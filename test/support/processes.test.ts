import { describe, expect, it } from 'vitest';
import { spawnTracked } from './processes.js';

describe('tracked child processes', () => {
  it('escalates to SIGKILL when a process ignores SIGTERM', async () => {
    const stubborn = spawnTracked('stubborn', process.execPath, [
      '-e',
      "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);",
    ]);
    await stubborn.waitForOutput(/up/, 5000);
    const exit = await stubborn.stop('SIGTERM', 200);
    expect(exit).toBe('SIGKILL');
    expect(stubborn.isRunning()).toBe(false);
  });

  it('fails a wait for output as soon as the process exits, with its output', async () => {
    const quitter = spawnTracked('quitter', process.execPath, ['-e', "console.error('boom'); process.exit(3)"]);
    await expect(quitter.waitForOutput(/never printed/, 5000)).rejects.toThrow(/exited \(3\)[\s\S]*boom/);
  });

  it('fails a wait for output after its deadline', async () => {
    const sleeper = spawnTracked('sleeper', process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    try {
      await expect(sleeper.waitForOutput(/never printed/, 100)).rejects.toThrow(/timed out after 100 ms/);
    } finally {
      await sleeper.stop('SIGKILL');
    }
  });
});

describe('line listeners', () => {
  it('receive every complete line of stdout and stderr, even when chunks split lines', async () => {
    const talker = spawnTracked('talker', process.execPath, [
      '-e',
      "process.stdout.write('a\\nb'); setTimeout(() => { process.stdout.write('c\\n'); console.error('d'); }, 20);",
    ]);
    const lines: string[] = [];
    talker.onLine((line) => lines.push(line));
    await talker.exited;
    expect(lines.sort()).toEqual(['a', 'bc', 'd']);
  });
});
