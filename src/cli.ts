/** `medic <command>`: each command lives in src/cli/<command>.ts and is loaded only when used. */
import { errorMessage, isMedicError } from './errors.js';

type CommandModule = { run(args: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  serve: {
    summary: 'run the webhook server and workers (--role web|worker|all)',
    load: () => import('./cli/serve.js'),
  },
  diagnose: {
    summary: 'diagnose an Alertmanager payload against a cluster snapshot, offline',
    load: () => import('./cli/diagnose.js'),
  },
  sandbox: { summary: 'serve a cluster snapshot as a Kubernetes API server', load: () => import('./cli/sandbox.js') },
  demo: { summary: 'the whole product on this machine, with a web console', load: () => import('./cli/demo.js') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return [
    'Usage: medic <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run medic <command> --help for its options.',
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`medic: unknown command "${name}".\n\n${usage()}\n`);
    return 2;
  }
  try {
    const module = await command.load();
    return await module.run(args);
  } catch (error) {
    const prefix = isMedicError(error) ? '' : 'unexpected error: ';
    process.stderr.write(`medic ${name}: ${prefix}${errorMessage(error)}\n`);
    return 1;
  }
}
