// The bundle's entry (scripts/build.mjs): what bin/medic.js does, without tsx.
import { runCli } from '../src/cli.ts';

process.exitCode = await runCli(process.argv.slice(2));
