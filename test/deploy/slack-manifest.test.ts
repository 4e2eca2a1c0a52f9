import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './render.js';

const http = parse(readFileSync(join(ROOT, 'slack-app-manifest.yaml'), 'utf8'));
const socket = parse(readFileSync(join(ROOT, 'slack-app-manifest.socket-mode.yaml'), 'utf8'));

/** The scopes Medic's Slack calls need: chat.postMessage/update, commands, files upload, users.info,
 * usergroups.users.list, conversations.info on public and private channels. */
const SCOPES = [
  'chat:write',
  'commands',
  'files:write',
  'users:read',
  'usergroups:read',
  'channels:read',
  'groups:read',
];
/** SPEC.md: `/scale <name> <replicas> [-n namespace]`, `/medic diagnose <pod|deployment> [-n ns]`, `/medic help`. */
const COMMANDS = ['/medic', '/scale'];

/** Every string value under `key` anywhere in the object. */
function valuesOf(node: unknown, key: string): string[] {
  if (Array.isArray(node)) return node.flatMap((n) => valuesOf(n, key));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (k === key && typeof v === 'string' ? [v] : valuesOf(v, key)));
}

/** Slack source files that register commands (handlers/slack-*.ts and src/slack, not the simulator). */
function slackSources(): string[] {
  const handlers = readdirSync(join(ROOT, 'handlers'))
    .filter((f) => /^slack-.*\.ts$/.test(f))
    .map((f) => join(ROOT, 'handlers', f));
  const core = readdirSync(join(ROOT, 'src/slack'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.startsWith('simulator'))
    .map((f) => join(ROOT, 'src/slack', f));
  return [...handlers, ...core];
}

/** Code lines only: comments mention routes without registering them. */
const codeOf = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
    .join('\n');

describe.each([
  ['slack-app-manifest.yaml', http],
  ['slack-app-manifest.socket-mode.yaml', socket],
])('%s', (_name, manifest) => {
  it('asks for exactly the bot scopes Medic uses', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...SCOPES].sort());
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('declares /scale and /medic with usage hints', () => {
    const commands = manifest.features.slash_commands;
    expect(commands.map((c: any) => c.command).sort()).toEqual(COMMANDS);
    const scale = commands.find((c: any) => c.command === '/scale');
    expect(scale.usage_hint).toMatch(/replicas.*-n namespace/);
    const medic = commands.find((c: any) => c.command === '/medic');
    expect(medic.usage_hint).toContain('diagnose');
    expect(medic.usage_hint).toContain('help');
    for (const c of commands) expect(c.description.length, c.command).toBeLessThanOrEqual(100);
  });

  it('has a bot user and interactivity for the approval buttons', () => {
    expect(manifest.features.bot_user.display_name).toBe('medic');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });
});

describe('the HTTP and Socket Mode manifests', () => {
  it('send commands and button clicks to POST /slack/events over HTTPS', () => {
    const urls = [...valuesOf(http, 'url'), ...valuesOf(http, 'request_url')];
    expect(urls.length).toBe(3);
    for (const url of urls) {
      expect(new URL(url).protocol).toBe('https:');
      expect(new URL(url).pathname).toBe('/slack/events');
    }
    expect(http.settings.socket_mode_enabled).toBe(false);
  });

  it('Socket Mode needs no public URL', () => {
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(valuesOf(socket, 'url')).toEqual([]);
    expect(valuesOf(socket, 'request_url')).toEqual([]);
  });

  it('differ only in the transport', () => {
    const withoutTransport = (m: any) => {
      const { settings: _settings, ...rest } = m;
      const commands = m.features.slash_commands.map(({ url: _url, ...c }: any) => c);
      return { ...rest, features: { ...m.features, slash_commands: commands } };
    };
    expect(withoutTransport(socket)).toEqual(withoutTransport(http));
  });

  const sources = slackSources();
  // A file that calls Bolt's `.command(` registers the slash commands it names: `'/scale'` literals, passed
  // directly or through a list (`[['/scale', run], …]`).
  const registered = sources
    .map(codeOf)
    .filter((code) => /\.command\(/.test(code))
    .flatMap((code) => [...code.matchAll(/['"](\/[a-z][\w-]*)['"]/g)].map((m) => m[1] as string));
  it.skipIf(registered.length === 0)('declare exactly the commands the Slack handlers register', () => {
    expect([...new Set(registered)].sort()).toEqual(COMMANDS);
  });

  it.skipIf(registered.length === 0)('point at the path Medic mounts Bolt on', () => {
    const mounted = [join(ROOT, 'src/main.ts'), ...sources].some((f) => codeOf(f).includes("'/slack/events'"));
    expect(mounted).toBe(true);
  });
});
