/** The one error sink of the HTTP server: any error → MedicError → status + `{ error: { code, message, field } }`. */
import type { NextFunction, Request, Response } from 'express';
import { isMedicError, MedicError } from '../errors.js';
import type { Logger } from '../logger.js';

/** body-parser errors carry a `type` and a `status`; translate them into Medic's codes. */
interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

export function toMedicError(error: unknown): MedicError {
  if (isMedicError(error)) return error;
  const bodyError = (typeof error === 'object' && error !== null ? error : {}) as BodyParserError;
  switch (bodyError.type) {
    case 'entity.too.large':
      return new MedicError('PAYLOAD_TOO_LARGE', `The request body is larger than the ${bodyError.limit} byte limit.`, {
        field: '(body)',
        cause: error,
      });
    case 'entity.parse.failed':
      return new MedicError('BAD_REQUEST', 'The request body is not valid JSON.', { field: '(body)', cause: error });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new MedicError('UNSUPPORTED_MEDIA_TYPE', 'The request body encoding or charset is not supported.', {
        cause: error,
      });
    case 'request.aborted':
    case 'request.size.invalid':
      return new MedicError('BAD_REQUEST', 'The request body was cut short.', { field: '(body)', cause: error });
  }
  return new MedicError('INTERNAL', 'Medic failed to handle the request.', { cause: error });
}

export function createErrorMiddleware(logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const medicError = toMedicError(error);
    const status = medicError.httpStatus;
    const details = { method: req.method, path: req.path, status, code: medicError.code };
    if (status >= 500) logger.warn({ ...details, err: error }, 'request failed');
    else logger.debug({ ...details, message: medicError.message }, 'request refused');
    if (status === 503) res.setHeader('Retry-After', '5');
    // The webhook's token is a bearer credential; a Slack request is signed instead, so it gets no challenge.
    if (status === 401 && medicError.field !== 'x-slack-signature') {
      res.setHeader('WWW-Authenticate', 'Bearer realm="medic"');
    }
    res.status(status).json({
      error: {
        code: medicError.code,
        message: medicError.message,
        ...(medicError.field ? { field: medicError.field } : {}),
      },
    });
  };
}

/** Refuses a body that is not JSON before reading it. */
export function requireJson(req: Request, _res: Response, next: NextFunction): void {
  if (req.is('application/json')) {
    next();
    return;
  }
  next(
    new MedicError('UNSUPPORTED_MEDIA_TYPE', 'Send the payload as Content-Type: application/json.', {
      field: 'content-type',
    }),
  );
}

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new MedicError('NOT_FOUND', `No route for ${req.method} ${req.path}.`));
}
