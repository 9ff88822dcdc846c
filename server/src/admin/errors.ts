/** Uniform JSON errors for the admin API: `{ error: CODE, message }`, never a stack trace. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { BrookError, ErrorCode } from '@brook/protocol';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const STATUS: Record<number, number> = {
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]: 404,
  [ErrorCode.GROUP_ID_NOT_FOUND]: 404,
  [ErrorCode.TOPIC_ALREADY_EXISTS]: 409,
  [ErrorCode.NON_EMPTY_GROUP]: 409,
  [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]: 409,
  [ErrorCode.STORAGE_ERROR]: 503,
  [ErrorCode.BROKER_SHUTTING_DOWN]: 503,
  [ErrorCode.UNKNOWN_SERVER_ERROR]: 500,
};

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
  required: ['error', 'message'],
} as const;

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | BrookError | HttpError, req, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.code, message: err.message });
    if (err instanceof BrookError) {
      return reply.code(STATUS[err.code] ?? 400).send({ error: err.type, message: err.message });
    }
    const fe = err as FastifyError;
    if (fe.validation) return reply.code(400).send({ error: 'INVALID_REQUEST', message: fe.message });
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.code(fe.statusCode).send({ error: fe.code ?? 'BAD_REQUEST', message: fe.message });
    }
    req.log.error({ err }, 'admin request failed');
    return reply.code(500).send({ error: 'UNKNOWN_SERVER_ERROR', message: 'internal error' });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` }));
}
