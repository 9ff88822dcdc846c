import { BrookError, ErrorCode } from '@brook/protocol';
import type { Logger } from 'pino';

/** Maps a thrown error to a per-partition/per-topic error code and message. */
export function toErrorCode(e: unknown, logger: Logger): { errorCode: number; errorMessage: string } {
  if (e instanceof BrookError) return { errorCode: e.code, errorMessage: e.message };
  logger.error({ err: e }, 'unexpected error');
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'internal error' };
}
