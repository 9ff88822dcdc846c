/**
 * Uniform JSON errors for the HTTP side: `{ error: CODE, message }`, never a stack trace and
 * never a framework's own error code. Also 405 with `Allow` for a known path and a wrong method.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
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

/** fastify's error codes, as Brook names them (clients match on `error`; it must not leak the framework). */
const FRAMEWORK_ERRORS: Record<string, { status: number; error: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, error: 'INVALID_JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: 'INVALID_JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, error: 'INVALID_REQUEST' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'BODY_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, error: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_BAD_URL: { status: 400, error: 'INVALID_URL' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, error: 'URI_TOO_LONG' },
};

/** Brook's name for any other client error fastify raises, by status. */
const BY_STATUS: Record<number, string> = { 400: 'INVALID_REQUEST', 404: 'NOT_FOUND', 413: 'BODY_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
  required: ['error', 'message'],
} as const;

function sendFrameworkError(err: FastifyError, reply: FastifyReply): FastifyReply | null {
  const known = err.code ? FRAMEWORK_ERRORS[err.code] : undefined;
  if (known) return reply.code(known.status).send({ error: known.error, message: err.message });
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return reply.code(err.statusCode).send({ error: BY_STATUS[err.statusCode] ?? 'INVALID_REQUEST', message: err.message });
  }
  return null;
}

/**
 * For Fastify's `frameworkErrors` option: errors raised before routing (a malformed
 * percent-encoding in the URL) answer in the same shape as every other error.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (!sendFrameworkError(err, reply)) {
    req.log.error({ err }, 'request failed before routing');
    void reply.code(500).send({ error: 'UNKNOWN_SERVER_ERROR', message: 'internal error' });
  }
}

/**
 * Installs the error and not-found handlers. Call it before any route is added: it records every
 * route (onRoute) so that a known path with a wrong method answers 405 and names the allowed
 * methods (fastify itself only knows 404).
 */
export function installErrorHandler(app: FastifyInstance): void {
  const routes = FindMyWay();
  const methods = new Set<HTTPMethod>();
  app.addHook('onRoute', (route) => {
    for (const m of [route.method].flat() as HTTPMethod[]) {
      if (!routes.hasRoute(m, route.url)) routes.on(m, route.url, () => {});
      methods.add(m);
    }
  });

  const noRoute = (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?', 1)[0]!;
    const allowed = [...methods].filter((m) => routes.find(m, path) !== null).sort();
    if (allowed.length === 0) return reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${req.method} ${path}` });
    return reply
      .code(405)
      .header('allow', allowed.join(', '))
      .send({ error: 'METHOD_NOT_ALLOWED', message: `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}` });
  };
  // Answered before the body is read: an unknown route with a body fastify cannot parse is still 404/405.
  // Not for WebSocket upgrades: answered here, @fastify/websocket's own hooks never see them and the
  // upgraded socket is never destroyed (a half-open socket that holds up the broker's close).
  app.addHook('onRequest', async (req, reply) => {
    if (req.is404 && req.headers.upgrade === undefined) return noRoute(req, reply);
  });
  app.setNotFoundHandler(noRoute);

  app.setErrorHandler((err: FastifyError | BrookError | HttpError, req, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.code, message: err.message });
    if (err instanceof BrookError) {
      return reply.code(STATUS[err.code] ?? 400).send({ error: err.type, message: err.message });
    }
    const fe = err as FastifyError;
    if (fe.validation) return reply.code(400).send({ error: 'INVALID_REQUEST', message: fe.message });
    if (sendFrameworkError(fe, reply)) return reply;
    req.log.error({ err }, 'admin request failed');
    return reply.code(500).send({ error: 'UNKNOWN_SERVER_ERROR', message: 'internal error' });
  });
}
