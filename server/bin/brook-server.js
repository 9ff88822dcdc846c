#!/bin/sh
// 2>/dev/null; exec env MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX-2}" MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_-1048576}" MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_-1048576}" "${npm_node_execpath:-node}" ${BROOK_NODE_FLAGS---initial-old-space-size=32} "$0" "$@"
// The line above is for sh; this file is also JavaScript. It re-runs this file with node (the one
// running npm under npm start or npx, else node on PATH) in the same process (exec), after setting
// glibc's allocator for a broker. glibc otherwise raises its mmap threshold after each large Buffer
// is freed, keeps what later frees leave behind, and a produce flood then holds ~200 MB more RSS
// (scripts/bench/FINDINGS.md, 2026-12-01). Values set by the caller win; other C libraries ignore
// these variables.
// BROOK_NODE_FLAGS (node's own flags, which NODE_OPTIONS refuses; set it empty for none) defaults to
// a 32 MB initial old-generation limit. Without it V8 shrinks that limit early and counts the
// Buffers allocated since the last full GC against it, so in about half the runs a produce stream
// then collects the whole heap every 70 ms (25 full GCs for 200 MB of 1 KiB records, 40% more
// broker CPU; FINDINGS.md, 2026-12-01, fourth session).
// A committed entry point, so npm links the bin at install time (before dist/ is built).
import '../dist/cli.js';
