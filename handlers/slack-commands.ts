/**
 * Slash commands (transport only): Bolt has verified the signature. `/scale` and `/medic` are acked at once
 * (Slack wants an answer within 3 s); the work runs after the ack and answers through response_url.
 * Cluster reads and proposals live in src/commands; slow work (diagnosis) goes to the queue there.
 */
import type { BoltApp } from '../src/slack/app.js';

export interface CommandInput {
  userId: string;
  channelId: string;
  text: string;
}

export interface SlackCommandDeps {
  scale(input: CommandInput): Promise<{ text: string }>;
  medic(input: CommandInput): Promise<{ text: string }>;
}

const FAILED = 'Medic could not run this command right now; nothing was changed. Please try again in a moment.';

export function registerSlackCommands(app: BoltApp, deps: SlackCommandDeps): void {
  const commands: [string, (input: CommandInput) => Promise<{ text: string }>][] = [
    ['/scale', deps.scale],
    ['/medic', deps.medic],
  ];
  for (const [name, run] of commands) {
    app.command(name, async ({ command, ack, respond }) => {
      await ack();
      const input = { userId: command.user_id, channelId: command.channel_id, text: command.text ?? '' };
      let answer: { text: string };
      try {
        answer = await run(input);
      } catch (error) {
        await respond({ response_type: 'ephemeral', text: FAILED });
        throw error;
      }
      await respond({ response_type: 'ephemeral', text: answer.text });
    });
  }
  // A command the app's manifest routes here but Medic has no handler for (a renamed or extra command in a
  // customised manifest): acknowledged with a pointer instead of leaving Slack to time out ("dispatch_failed").
  const known = commands.map(([name]) => name.slice(1)).join('|');
  app.command(new RegExp(`^/(?!(?:${known})$)`), async ({ command, ack, respond }) => {
    await ack();
    await respond({
      response_type: 'ephemeral',
      text: `Medic has no command ${command.command}; it answers ${commands.map(([name]) => `\`${name}\``).join(' and ')} (\`/medic help\`).`,
    });
  });
}
