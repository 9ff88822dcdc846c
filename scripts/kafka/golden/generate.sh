#!/usr/bin/env bash
# Regenerates protocol/test/fixtures/golden/batches.json and compressed.json with Apache Kafka's kafka-clients
# (Java 17 + Maven; needs Maven Central). npm test reads the committed file and needs no Java.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$root/protocol/test/fixtures/golden/batches.json"
compressed="$root/protocol/test/fixtures/golden/compressed.json"
mkdir -p "$(dirname "$out")"
cd "$here"
mvn -B -q package dependency:copy-dependencies -DincludeScope=runtime -DskipTests
java -cp "target/classes:target/dependency/*" brook.golden.GoldenBatches "$out" "$compressed"
