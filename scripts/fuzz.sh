#!/usr/bin/env bash
# Runs every Go fuzz target in the module for $FUZZTIME each.
# `go test -fuzz` accepts one target per package per run, so list and loop.
#
# The default budget is a count of executions ("Nx"), not a duration: with a
# duration, Go 1.26's fuzz coordinator can report a spurious "context deadline
# exceeded" failure at the deadline on a loaded machine (golang/go#75804, fixed
# in Go 1.27). A count has no deadline to race. Seed corpora also run as plain
# tests in `go test ./...`.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-50000x}"
count=0
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    echo "fuzz: $pkg $target ($fuzztime)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
    count=$((count + 1))
  done
done
echo "fuzz: $count targets ran"
