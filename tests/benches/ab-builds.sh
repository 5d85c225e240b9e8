#!/usr/bin/env bash
# Same-run A/B of two release builds of the host and the plugin: OLD and NEW are target dirs
# (default: OLD=/tmp/oldtarget/release, NEW=./target/release); one redis-server on port
# $PORT (default 7791), the two binaries alternating, RUNS rounds; prints medians and ranges per job.
# Usage: OLD=/path/to/old/release NEW=target/release RUNS=7 bash tests/benches/ab-builds.sh
set -eu
OLD=${OLD:-/tmp/oldtarget/release}; NEW=$(cd "${NEW:-target/release}" && pwd); OLD=$(cd "$OLD" && pwd)
PORT=${PORT:-7791}
work=$(mktemp -d); cd "$work"
d=$(mktemp -d)
redis-server --port $PORT --bind 127.0.0.1 --save '' --appendonly no --dir $d --pidfile $d/p.pid --daemonize yes --logfile $d/log
sleep 0.5
trap 'kill $(cat $d/p.pid)' EXIT
mkdir -p res-old res-new
$OLD/connector-host plugins install $OLD/libredis_connector.so --resources res-old --replace >/dev/null
$NEW/connector-host plugins install $NEW/libredis_connector.so --resources res-new --replace >/dev/null
cat > sink.sql <<SQL
SET 'parallelism.default' = '1';
CREATE TABLE gen (id BIGINT, v STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '0',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000000', 'fields.v.length' = '48');
CREATE TABLE r (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '$PORT');
INSERT INTO r SELECT id, v FROM gen;
SQL
cat > populate.sql <<SQL
CREATE TABLE gen (id BIGINT, v STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '0',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '99999', 'fields.v.length' = '48');
CREATE TABLE dim (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '$PORT');
INSERT INTO dim SELECT id, v FROM gen;
SQL
probes() { cat <<SQL
CREATE TABLE probes (id BIGINT, payload STRING, p AS PROCTIME()) WITH ('connector' = 'datagen', 'rows-per-second' = '0',
  'number-of-rows' = '$3', 'fields.id.min' = '0', 'fields.id.max' = '99999', 'fields.payload.length' = '16');
CREATE TABLE dim (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '$PORT'$2);
CREATE TABLE out (id BIGINT, payload STRING, v STRING) WITH ('connector' = 'blackhole');
$1
SQL
}
JOIN="INSERT INTO out SELECT s.id, s.payload, d.v FROM probes AS s JOIN dim FOR SYSTEM_TIME AS OF s.p AS d ON s.id = d.id;"
CACHE=", 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '100000'"
probes "$JOIN" "" 1000000 > uncached.sql
probes "$JOIN" "$CACHE" 3000000 > cached.sql
t() { local s=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $s" | bc; }
: > results.txt
for i in $(seq ${RUNS:-6}); do
  for job in sink uncached cached; do
    for b in old new; do
      if [ $b = old ]; then bin=$OLD/connector-host; else bin=$NEW/connector-host; fi
      [ $job = sink ] && redis-cli -p $PORT flushall >/dev/null
      [ $job != sink ] && [ "$(redis-cli -p $PORT dbsize)" != 100000 ] && { redis-cli -p $PORT flushall >/dev/null; $bin run populate.sql --resources res-$b >/dev/null 2>&1; }
      echo "$job $b $(t $bin run $job.sql --resources res-$b)" >> results.txt
    done
  done
done
python3 - <<PY
import statistics as st, collections
r=collections.defaultdict(list)
for l in open('results.txt'):
    j,b,s=l.split(); r[(j,b)].append(float(s))
for j in ['sink','uncached','cached']:
    o=r[(j,'old')]; n=r[(j,'new')]
    print(f"{j:9s} old median {st.median(o):.3f}s [{min(o):.3f}-{max(o):.3f}]  new median {st.median(n):.3f}s [{min(n):.3f}-{max(n):.3f}]  new/old {st.median(n)/st.median(o):.3f}  (n={len(o)})")
PY
