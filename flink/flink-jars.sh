#!/usr/bin/env bash
# Prints the folder of Apache Flink 1.20.3's jars (target/flink-1.20.3/.../deps/lib), fetching
# them from PyPI (apache-flink-libraries: the jars without PyFlink's Python dependencies, about
# 450 MB unpacked) when missing. There is no Maven repository here; pip is enough.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/target/flink-1.20.3"
jars="$dir/apache-flink-libraries-1.20.3/deps/lib"
if [ ! -f "$jars/flink-dist-1.20.3.jar" ]; then
  mkdir -p "$dir"
  echo "fetching Flink 1.20.3's jars from PyPI into $dir" >&2
  pip=(pip3)
  command -v pip3 >/dev/null 2>&1 || pip=(python3 -m pip)
  (cd "$dir" &&
    "${pip[@]}" download --quiet --no-deps apache-flink-libraries==1.20.3 -d . >&2 &&
    tar xzf apache-flink-libraries-1.20.3.tar.gz)
fi
echo "$jars"
