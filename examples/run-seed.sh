#!/usr/bin/env bash
# The seed's job, end to end: checks for redis-server and redis-cli, builds the host and the
# Redis plugin, installs the plugin into ./resources, starts a local redis-server with the
# seed's password (123456) on the seed's port (6379) when none is listening there, runs
# examples/seed.sql, and shows what landed in Redis. A server this script started is stopped
# again at the end. A server already on 6379 without a password works too: the connector then
# warns that the seed's 'password' was not used, as `redis-cli -a` does.
set -euo pipefail
cd "$(dirname "$0")/.."
source examples/seed-redis.sh

cargo build --release -p connector-host -p redis-connector
host=target/release/connector-host
"$host" plugins install target/release/libredis_connector.so --resources resources --replace

"$host" run examples/seed.sql --resources resources
show_redis
