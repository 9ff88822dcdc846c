#!/usr/bin/env bash
# Regenerates protocol/test/fixtures/kafka-messages/ with Apache Kafka's kafka-clients (Java 17 +
# Maven; needs Maven Central): Kafka's own serializer writes
#   - the hand-picked values of cases.json, one file per message, and
#   - the sweep cases (every API and version Brook serves, values drawn from Brook's
#     declarations by sweep-cases.mjs) into all-versions.json.
# The tests read the committed files and need no Java.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$root/protocol/test/fixtures/kafka-messages"
cd "$here"
mvn -B -q package dependency:copy-dependencies -DincludeScope=runtime -DskipTests
(cd "$root" && npx tsc -b protocol && node "$here/sweep-cases.mjs" "$here/target/sweep-cases.json")
rm -f "$out"/*.json
run() { java -cp "target/classes:target/dependency/*" brook.golden.GoldenMessages "$@" 2>&1 | grep -v '^SLF4J'; }
run "$here/cases.json" "$out"
run "$here/target/sweep-cases.json" "$out/all-versions.json"
