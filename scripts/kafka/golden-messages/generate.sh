#!/usr/bin/env bash
# Regenerates protocol/test/fixtures/kafka-messages/ with Apache Kafka's kafka-clients (Java 17 +
# Maven; needs Maven Central): Kafka's own serializer writes the values in cases.json. The tests
# read the committed files and need no Java.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$root/protocol/test/fixtures/kafka-messages"
cd "$here"
mvn -B -q package dependency:copy-dependencies -DincludeScope=runtime -DskipTests
rm -f "$out"/*.json
java -cp "target/classes:target/dependency/*" brook.golden.GoldenMessages "$here/cases.json" "$out"
