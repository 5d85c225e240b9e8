#!/usr/bin/env bash
# The seed's job in Apache Flink 1.20.3, through the bridge: builds the host, the Redis plugin
# and the bridge (release), fetches Flink 1.20.3's jars from PyPI into target/flink-1.20.3 when
# missing, packages the plugin as a Flink connector JAR (target/flink-connector-redis.jar),
# makes sure a Redis answers on the seed's port as run-seed.sh does, runs examples/seed.sql
# (the seed's DDL verbatim, a Debezium changelog into `redis`, a lookup join through
# `redis_dim`) in a local Flink at parallelism 2, and shows what landed in Redis. Exits 0 only
# when the job succeeded. Needs Java 17 (Debian: apt-get install openjdk-17-jdk-headless).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in java javac jar; do
  command -v "$tool" >/dev/null 2>&1 ||
    { echo "error: '$tool' not found: install Java 17 (Debian: sudo apt-get install openjdk-17-jdk-headless)" >&2; exit 2; }
done
source examples/seed-redis.sh

cargo build --release -p connector-host -p redis-connector -p connector-flink
jar=target/flink-connector-redis.jar
bash flink/package.sh target/release/libredis_connector.so -o "$jar" \
  --bridge target/release/libconnector_flink.so --host target/release/connector-host
jars=$(bash flink/flink-jars.sh)

echo "--- running examples/seed.sql in Flink 1.20.3 (local, parallelism 2)"
java --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  -cp "$jars/*:$jar" dev.connectors.flink.RunSql examples/seed.sql parallelism.default=2 \
  2> >(grep -v -e '^SLF4J' -e 'log4j' >&2)
show_redis
