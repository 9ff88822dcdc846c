#!/usr/bin/env node
// npm run bench:rebalance: time from a member joining (or leaving gracefully) a stable group of
// 10 members on 60 partitions until every member holds exactly its target, with every partition
// owned (and, for a join, until the broker reports the group stable: up to a heartbeat later). The same scenario as `npm run bench -- --only rebalance` (scripts/bench/rebalance.mjs),
// one run of ROUNDS rounds (default 5).
import { rebalanceRun } from './bench/rebalance.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const f = await rebalanceRun({ progress: () => {}, log: console.error }, { rounds: ROUNDS });
console.log(`\nRebalance, 10 members on 60 partitions, heartbeat interval 3000 ms, ${ROUNDS} rounds (median):`);
console.log(
  `| event | until every member is at its target |\n| --- | --- |\n| 11th member joins | ${f.joinMs.toFixed(1)} ms (max ${f.joinMaxMs.toFixed(1)}); reported stable after ${f.joinStableMs.toFixed(1)} ms |\n| it leaves (disconnect) | ${f.leaveMs.toFixed(1)} ms (max ${f.leaveMaxMs.toFixed(1)}) |`,
);
process.exit(0);
