#!/usr/bin/env bash
# Fails when docs/ is out of date with the provider's schema, templates or
# examples: renders the docs into a temporary directory (the tree is not
# touched) and compares, then runs tfplugindocs' own validation.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" .docs-check' EXIT
tfplugindocs() { (cd tools && go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs "$@"); }
./scripts/docs-generate.sh .docs-check >"$tmp/generate.log" 2>&1 || { cat "$tmp/generate.log"; exit 1; }
if ! diff -ru docs .docs-check; then
  echo "docs-check: docs/ is out of date with the schema, templates or examples; run 'make docs' and commit docs/" >&2
  exit 1
fi
tfplugindocs validate --provider-dir .. --provider-name workspace
echo "docs-check: docs/ is up to date"
