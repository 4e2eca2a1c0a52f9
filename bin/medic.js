#!/usr/bin/env node
// Runs the TypeScript sources through tsx so `npx medic` works on a clean clone after `npm ci`.
// The container image runs the compiled build instead (see Dockerfile).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
