/** pino, with the places secrets could appear redacted. A child logger per request and per job. */
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'medic' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-slack-signature"]',
          'headers.authorization',
          'token',
          '*.token',
          'signingSecret',
          '*.signingSecret',
          'botToken',
          '*.botToken',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
