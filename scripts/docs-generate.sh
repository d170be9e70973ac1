#!/usr/bin/env bash
# Renders the docs into the folder $1 (relative to the repository root) with
# tfplugindocs, from the provider's schema (as the terraform CLI on PATH
# exports it), templates/ and examples/. Used by `make docs` (into docs/) and
# scripts/docs-check.sh (into a scratch folder).
#
# tfplugindocs refuses a resource's examples/…/import-by-identity.tf when the
# CLI exports no identity schemas (Terraform 1.11; identities came in 1.12),
# so it reads the examples from a copy without those files. The resource
# templates include them by their own paths, so the pages are the same
# whichever CLI renders them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: docs-generate.sh OUTPUT_DIR}
examples=.docs-examples
rm -rf "$examples"
trap 'rm -rf "$examples"' EXIT
cp -R examples "$examples"
find "$examples" -name import-by-identity.tf -delete
cd tools
go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate --provider-dir .. \
  --provider-name workspace --examples-dir "$examples" --rendered-website-dir "$out"
