# Sourced by run-seed.sh and run-seed-in-flink.sh: checks for redis-server and redis-cli, and
# makes sure a Redis answers on the seed's port (6379). It uses a server already there without
# a password (the connector then warns that the seed's 'password' was not used, as
# `redis-cli -a` does), or starts one with the seed's password (123456) for this run and stops
# it again on exit. Sets `cli` (the redis-cli command for that server); `show_redis` prints
# every key with its value and TTL.

missing=()
for tool in redis-server redis-cli; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "error: ${missing[*]} not found; install them first, on Debian or Ubuntu with:" >&2
  echo "  sudo apt-get install redis-server" >&2
  exit 2
fi

cli=(redis-cli -h 127.0.0.1 -p 6379)
started=""
if "${cli[@]}" ping 2>/dev/null | grep -q PONG; then
  echo "using the redis-server already on 127.0.0.1:6379 (no password)"
else
  cli+=(-a 123456 --no-auth-warning)
  if ! "${cli[@]}" ping 2>/dev/null | grep -q PONG; then
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
fi

show_redis() {
  echo "--- what landed in Redis"
  for key in $("${cli[@]}" --scan | sort); do
    echo "$key = $("${cli[@]}" get "$key")  (ttl $("${cli[@]}" ttl "$key") s)"
  done
}
