/**
 * The Bolt app. Over HTTP it is an ExpressReceiver router for Medic's express server (POST /slack/events,
 * mounted before any body parser); with SLACK_APP_TOKEN it runs in Socket Mode. The same listeners
 * (handlers/slack-*.ts, registered on `app` by the caller) serve both modes. Errors end in one sink, `app.error`.
 */
import { App, ExpressReceiver, SocketModeReceiver } from '@slack/bolt';
import { ErrorCode, type WebClient } from '@slack/web-api';
import express, { type Router } from 'express';
import { MedicError } from '../errors.js';
import type { Logger } from '../logger.js';
import { DEFAULT_SLACK_RETRY, toSlackLogger } from './client.js';
import { slackRequestGuard } from './request-guard.js';
import { slackSignatureMiddleware } from './verify.js';

export type BoltApp = App;

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAppOptions {
  botToken: string;
  signingSecret?: string | undefined;
  /** xapp-… token: Socket Mode instead of HTTP. */
  appToken?: string | undefined;
  apiUrl?: string | undefined;
  logger: Logger;
  /** Clock for signature timestamps (tests inject one). */
  now?: () => number;
  retry?: { retries: number; minTimeout: number; maxTimeout: number };
}

export interface SlackApp {
  app: BoltApp;
  client: WebClient;
  /** HTTP mode: the router to mount at the server's root (handles POST /slack/events). */
  router?: Router;
  /** Socket Mode: connects; HTTP mode: nothing to do. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const slackLogger = toSlackLogger(options.logger);
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: options.retry ?? DEFAULT_SLACK_RETRY,
    logger: slackLogger,
  };
  let app: BoltApp;
  let router: Router | undefined;
  let socketReceiver: SocketModeReceiver | undefined;
  if (options.appToken) {
    // Built here (not by App) so stop() can wait for the WebSocket to close; apps.connections.open goes to
    // the same Web API base as every other call.
    socketReceiver = new SocketModeReceiver({
      appToken: options.appToken,
      logger: slackLogger,
      installerOptions: { clientOptions },
    });
    app = new App({
      token: options.botToken,
      receiver: socketReceiver,
      socketMode: true,
      logger: slackLogger,
      clientOptions,
      tokenVerificationEnabled: false,
    });
  } else {
    if (!options.signingSecret) {
      throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP (or set SLACK_APP_TOKEN for Socket Mode).');
    }
    router = express.Router();
    router.post(
      SLACK_EVENTS_PATH,
      express.raw({ type: () => true, limit: '1mb' }),
      slackSignatureMiddleware({
        signingSecret: options.signingSecret,
        now: options.now ?? Date.now,
        logger: options.logger,
      }),
      slackRequestGuard(options.logger),
    );
    const receiver = new ExpressReceiver({
      signingSecret: options.signingSecret,
      // Verified above with an injectable clock and a two-sided window; Bolt parses req.rawBody.
      signatureVerification: false,
      endpoints: SLACK_EVENTS_PATH,
      router,
      processBeforeResponse: false,
      logger: slackLogger,
    });
    app = new App({
      token: options.botToken,
      receiver,
      logger: slackLogger,
      clientOptions,
      tokenVerificationEnabled: false,
    });
  }
  app.error(async (error) => {
    options.logger.error({ err: error }, 'slack listener failed');
  });
  return {
    app,
    client: app.client,
    ...(router ? { router } : {}),
    async start() {
      if (!socketReceiver) return;
      try {
        await app.start();
      } catch (error) {
        throw socketModeStartError(error);
      }
    },
    async stop() {
      // Bolt's stop() does not wait for the close handshake; disconnect() resolves once the socket is closed.
      await socketReceiver?.client.disconnect();
    },
  };
}

/** Turns a failed Socket Mode start into one sentence naming the setting and the fix. */
function socketModeStartError(error: unknown): MedicError {
  const code = (error as { code?: unknown; data?: { error?: unknown } }).code;
  const slackError = (error as { data?: { error?: unknown } }).data?.error;
  if (code === ErrorCode.PlatformError && typeof slackError === 'string') {
    return new MedicError(
      'CONFIG_INVALID',
      `Slack refused SLACK_APP_TOKEN for Socket Mode (${slackError}): set it to the app-level token (xapp-…) with the connections:write scope from your Slack app's Basic Information page.`,
      { field: 'SLACK_APP_TOKEN', permanent: true, cause: error },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new MedicError(
    'SLACK_API',
    `Socket Mode could not connect to Slack (${reason}); check SLACK_API_URL and the network.`,
    {
      cause: error,
    },
  );
}
