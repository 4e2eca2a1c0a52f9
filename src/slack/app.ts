/**
 * The Bolt app. Over HTTP it is an ExpressReceiver router for Medic's express server (POST /slack/events,
 * mounted before any body parser); with SLACK_APP_TOKEN it runs in Socket Mode. The same listeners
 * (handlers/slack-*.ts, registered on `app` by the caller) serve both modes. Errors end in one sink, `app.error`.
 */
import { App, ExpressReceiver } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import express, { type Router } from 'express';
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
  if (options.appToken) {
    app = new App({
      token: options.botToken,
      appToken: options.appToken,
      socketMode: true,
      logger: slackLogger,
      clientOptions,
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
      if (options.appToken) await app.start();
    },
    async stop() {
      if (options.appToken) await app.stop();
    },
  };
}
