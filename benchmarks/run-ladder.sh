#!/usr/bin/env bash
# The size ladder of issue 15 in one command, from a fresh clone (benchmarks/README.md, "Training speed at three
# sizes"): builds what the benchmarks need with Maven (online: a fresh machine has not cached Maven's plugins yet),
# installs nanoGPT's reference dependencies with benchmarks/nanogpt-reference/setup.sh if /usr/bin/python3 lacks them
# (as root, or through sudo), then runs SizeLadder at 0.8M, 10.7M and 124M parameters with the settings of the
# quiet-machine runs and writes the table, with the date, machine and command, to
# benchmarks/target/ladder-<UTC time>.md (the whole output beside it, .log).
#
#   benchmarks/run-ladder.sh [SizeLadder options]     # options given here override the defaults below
#   benchmarks/run-ladder.sh --sizes 0.8m --backends djl --rounds 1 --steps 0.8m=5+20    # a quick check that it runs
#
# Environment: MVN (default mvn), MAVEN_OPTS (e.g. -Dmaven.repo.local=DIR), SKIP_BUILD=1 to reuse the last build.
# Run it on an otherwise idle machine: every figure is a ratio of runs taking turns, but the load changes the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."

DEFAULTS=(--sizes 0.8m,10.7m,124m --backends djl,tensorflow,nd4j --rounds 2 --threads 2
          --steps 0.8m=100+300,10.7m=3+10,124m=1+3 --nanogpt-blas-threads 0.8m=1,10.7m=1,124m=2)
STAMP=$(date -u +%Y%m%d-%H%M%S)
OUT=benchmarks/target/ladder-$STAMP.md
MVN=${MVN:-mvn}

if [[ "${SKIP_BUILD:-0}" != 1 || ! -f benchmarks/target/classpath.txt ]]; then
  echo "run-ladder: building the benchmarks and the modules they use ($MVN install, tests skipped)"
  "$MVN" -B -q -pl benchmarks -am install -DskipTests
  "$MVN" -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
fi

if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
  echo "run-ladder: /usr/bin/python3 lacks PyTorch or numpy; installing Debian's (benchmarks/nanogpt-reference/setup.sh)"
  if [[ $(id -u) == 0 ]]; then
    benchmarks/nanogpt-reference/setup.sh
  elif command -v sudo >/dev/null; then
    sudo benchmarks/nanogpt-reference/setup.sh
  else
    echo "run-ladder: run benchmarks/nanogpt-reference/setup.sh as root first (it installs python3-torch, python3-numpy," \
         "libopenblas0-pthread)" >&2
    exit 1
  fi
fi

export OPT_OUT_TRACKING=true # DJL must not call home
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
java -cp "$CP" dev.llmforge.benchmarks.pretrain.SizeLadder "${DEFAULTS[@]}" "$@" --out "$OUT" 2>&1 | tee "${OUT%.md}.log"
