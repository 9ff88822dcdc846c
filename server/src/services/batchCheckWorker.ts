/**
 * The worker thread of batchChecks.ts: checks a partition's records (checkBatches) off the event
 * loop. Errors come back as values (a BrookError's class does not cross threads).
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import { useKafkaCodecs } from '../log/compression.js';
import { checkBatches, type CheckedSpans } from './batchSplit.js';

useKafkaCodecs();

export interface CheckTask {
  records: Uint8Array;
  maxDecompressedBytes: number;
}

export type CheckOutcome = { ok: true; checked: CheckedSpans } | { ok: false; code: number; message: string; unexpected: boolean };

export default function check(task: CheckTask): CheckOutcome {
  try {
    return { ok: true, checked: checkBatches(task.records, { maxDecompressedBytes: task.maxDecompressedBytes }) };
  } catch (e) {
    if (e instanceof BrookError) return { ok: false, code: e.code, message: e.message, unexpected: false };
    return { ok: false, code: ErrorCode.UNKNOWN_SERVER_ERROR, message: e instanceof Error ? (e.stack ?? e.message) : String(e), unexpected: true };
  }
}
