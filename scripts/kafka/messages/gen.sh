#!/usr/bin/env bash
# Regenerates protocol/src/kafka/messages/*.ts from the JSON message specs inside Apache Kafka's
# kafka-clients jar (common/message/*.json), fetched through Maven when not already present.
# Usage: scripts/kafka/messages/gen.sh [kafka version, default 4.4.0]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="${1:-4.4.0}"
jar="$HOME/.m2/repository/org/apache/kafka/kafka-clients/$version/kafka-clients-$version.jar"
[ -f "$jar" ] || mvn -B -q dependency:get -Dartifact="org.apache.kafka:kafka-clients:$version" -Dtransitive=false
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
unzip -q "$jar" 'common/message/*' -d "$tmp"
node "$here/gen.mjs" "$tmp/common/message" "$version"
