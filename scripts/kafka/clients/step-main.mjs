// The step protocol of the Node-driven clients (KafkaJS, kcat, Java tools):
// `node SCRIPT STEP 'JSON'` with $BOOTSTRAP; prints `RESULT {json}` (see ../lib/clients.mjs).

export const BOOTSTRAP = process.env.BOOTSTRAP ?? '127.0.0.1:9092';
export const WAIT_MS = 60_000;

export async function stepMain(steps) {
  const [step, json] = process.argv.slice(2);
  if (!steps[step]) {
    console.error(`step ${step} is not supported by this client`);
    process.exit(3);
  }
  try {
    const result = await steps[step](JSON.parse(json));
    console.log(`RESULT ${JSON.stringify(result)}`);
    process.exit(0);
  } catch (e) {
    // the message last: the driver quotes the last lines as the failure reason
    console.error(e?.stack ?? String(e));
    console.error(`error: ${e?.message ?? e}`);
    process.exit(1);
  }
}

/**
 * Polls `check` until truthy; throws "timed out ... waiting for WHAT" after `timeoutMs`, followed
 * by what `explain()` says (e.g. the last lines the client processes printed).
 */
export async function waitUntil(check, what, { timeoutMs = WAIT_MS, explain } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${explain ? `; ${explain()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every key of `want` occurs in `records`. */
export function sawAll(records, want) {
  const seen = new Set(records.map((r) => r.key));
  return want.every((k) => seen.has(k));
}
