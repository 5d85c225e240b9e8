#!/usr/bin/env bash
# Records what real Flink 1.20.3 prints for each host/tests/flink/*.sql into *.out (the golden
# files host/tests/flink.rs compares connector-host's output with). Flink's jars come from PyPI
# (apache-flink-libraries, no PyFlink needed; flink/flink-jars.sh) when missing; Java 17
# runs Golden.java: a TableEnvironment in streaming mode, parallelism 1, in the UTC time zone
# (the host's only one), each statement in turn, waiting for INSERTs; the print connector's
# lines on stdout (all of stdout: a value with a line break goes on on the next line) are the
# golden output.
# A sink_*.sql writes files under {out} instead: its golden is the files (see below).
# Usage: bash host/tests/flink/record.sh [name.sql ...]
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
root=$(cd ../../.. && pwd)
jars=$(bash "$root/flink/flink-jars.sh")
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
javac -d "$build" -cp "$jars/*" Golden.java
# Golden.java on one SQL file, in UTC; Flink's logs are dropped.
golden() {
  java -Duser.timezone=UTC --add-opens=java.base/java.util=ALL-UNNAMED \
    --add-opens=java.base/java.lang=ALL-UNNAMED -cp "$build:$jars/*" Golden "$1" 2>/dev/null
}
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(*.sql)
for sql in "${files[@]}"; do
  out="${sql%.sql}.out"
  what="the print connector's rows."
  if [[ "$sql" == sink_* ]]; then
    # A sink_*.sql writes files into {out}/<folder>: the golden is each folder's files, in
    # folder order, after a '## <folder>' line.
    files_dir=$(mktemp -d)
    sed "s|{out}|$files_dir|g" "$here/$sql" > "$build/job.sql"
    golden "$build/job.sql" >/dev/null
    for folder in $(ls "$files_dir" | sort); do
      echo "## $folder"
      find "$files_dir/$folder" -type f ! -name '.*' | sort | xargs cat
    done > "$out.rows"
    rm -rf "$files_dir"
    what="the filesystem sink's files, a '## folder' line before each folder's."
  else
    golden "$here/$sql" > "$out.rows"
  fi
  {
    echo "# Recorded by host/tests/flink/record.sh from $sql: Apache Flink 1.20.3 (PyPI's"
    echo "# apache-flink-libraries), $(java -version 2>&1 | head -1), streaming mode, parallelism 1;"
    echo "# $what"
    cat "$out.rows"
  } > "$out"
  rm -f "$out.rows"
  echo "recorded $out ($(wc -l < "$out") rows)"
done
