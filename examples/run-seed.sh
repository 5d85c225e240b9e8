#!/usr/bin/env bash
# The seed's job, end to end: builds the workspace, installs the Redis plugin into ./resources,
# starts a local redis-server with the seed's password (123456) on the seed's port (6379) when
# none is listening there, runs examples/seed.sql, and shows what landed in Redis. A server
# this script started is stopped again at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --workspace
host=target/release/connector-host
"$host" plugins install target/release/libredis_connector.so --resources resources --replace

cli=(redis-cli -h 127.0.0.1 -p 6379 -a 123456 --no-auth-warning)
started=""
if ! "${cli[@]}" ping >/dev/null 2>&1; then
  if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
    echo "error: something listens on 127.0.0.1:6379 but does not accept the seed's password" >&2
    exit 1
  fi
  started=$(mktemp -d)
  redis-server --port 6379 --bind 127.0.0.1 --requirepass 123456 --save '' --appendonly no \
    --dir "$started" --logfile "$started/redis.log" --pidfile "$started/redis.pid" --daemonize yes
  trap 'kill "$(cat "$started/redis.pid")" 2>/dev/null || true' EXIT
  for _ in $(seq 50); do "${cli[@]}" ping >/dev/null 2>&1 && break; sleep 0.1; done
  echo "started redis-server on 127.0.0.1:6379 (password 123456) for this run"
fi

"$host" run examples/seed.sql --resources resources

echo "--- what landed in Redis"
for key in $("${cli[@]}" --scan | sort); do
  echo "$key = $("${cli[@]}" get "$key")  (ttl $("${cli[@]}" ttl "$key") s)"
done
