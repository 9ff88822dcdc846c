/**
 * The worker thread of batchChecks.ts: checks a partition's records (`check`, the default), finds
 * a timestamp in a stored batch (`seek`), decodes one for the admin API (`decode`), or does the
 * cleaner's work on one (`summarize`, `rewrite`), off the event loop. Errors come back as values (a BrookError's class does not cross
 * threads).
 */
import { BrookError, ErrorCode, type DecodedBatch } from '@brook/protocol';
import { useKafkaCodecs } from '../log/compression.js';
import { rewriteBatch, summarizeBatch, type BatchSummary, type RewrittenBatch } from '../log/batchRewrite.js';
import { decodePicked, type RecordPick } from '../log/recordPage.js';
import { firstRecordAtOrAfter, type RecordPosition } from '../log/recordSeek.js';
import { checkBatches, type CheckedSpans } from './batchSplit.js';

useKafkaCodecs();

export type Outcome<T> = { ok: true; value: T } | { ok: false; code: number; message: string; unexpected: boolean };

export interface CheckTask {
  records: Uint8Array;
  maxDecompressedBytes: number;
}

export default function check(task: CheckTask): Outcome<CheckedSpans> {
  return outcome(() => checkBatches(task.records, { maxDecompressedBytes: task.maxDecompressedBytes }));
}

export interface SeekTask {
  batch: Uint8Array;
  timestamp: number;
  fromOffset: number;
  maxDecompressedBytes: number;
}

export function seek(task: SeekTask): Outcome<RecordPosition | null> {
  return outcome(() => firstRecordAtOrAfter(task.batch, task.timestamp, task.fromOffset, { maxDecompressedBytes: task.maxDecompressedBytes }));
}

/** One stored batch to decode. */
export interface BatchTask {
  batch: Uint8Array;
  maxDecompressedBytes: number;
}

export interface DecodeTask extends BatchTask {
  pick: RecordPick;
}

export function decode(task: DecodeTask): Outcome<DecodedBatch> {
  return outcome(() => decodePicked(task.batch, { maxDecompressedBytes: task.maxDecompressedBytes }, task.pick));
}

export function summarize(task: BatchTask): Outcome<BatchSummary> {
  // Without the decoded records: the event loop would deserialize every value for nothing.
  return outcome(() => ({ ...summarizeBatch(task.batch, { maxDecompressedBytes: task.maxDecompressedBytes }), decoded: undefined }));
}

export interface RewriteTask {
  batch: Uint8Array;
  keep: number[];
  maxDecompressedBytes: number;
}

export function rewrite(task: RewriteTask): Outcome<RewrittenBatch> {
  return outcome(() => rewriteBatch(task.batch, task.keep, { maxDecompressedBytes: task.maxDecompressedBytes }));
}

function outcome<T>(run: () => T): Outcome<T> {
  try {
    return { ok: true, value: run() };
  } catch (e) {
    if (e instanceof BrookError) return { ok: false, code: e.code, message: e.message, unexpected: false };
    return { ok: false, code: ErrorCode.UNKNOWN_SERVER_ERROR, message: e instanceof Error ? (e.stack ?? e.message) : String(e), unexpected: true };
  }
}
