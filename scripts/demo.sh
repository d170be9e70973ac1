#!/usr/bin/env bash
# make demo: the whole flow in about a minute, with no cloud account.
# Builds the provider and the emulator, starts the emulator on loopback,
# runs terraform apply, plan and destroy of examples/quickstart through a
# dev_overrides CLI configuration in a temporary directory, stops the
# emulator and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
command -v terraform >/dev/null || { echo "demo: terraform is not on PATH (Terraform 1.11 or newer is required)" >&2; exit 1; }
work=$(mktemp -d)
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill -TERM "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
start=$(date +%s)

echo "==> Building the provider and the emulator"
go build -o "$work/bin/terraform-provider-workspace" .
go build -o "$work/bin/workspace-emulator" ./cmd/workspace-emulator

echo "==> Starting the emulator (8 desktops, 3s jobs)"
"$work/bin/workspace-emulator" -listen 127.0.0.1:0 -desktops 8 -job-duration 3s -seed 1 >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 50); do
  grep -q '^listening on ' "$work/emulator.log" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n '1s/^listening on //p' "$work/emulator.log")
[ -n "$url" ] || { echo "demo: the emulator did not start:" >&2; cat "$work/emulator.log" >&2; exit 1; }
echo "    emulator at $url"

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/cloud-desktop/workspace" = "$work/bin"
  }
  direct {}
}
RC
mkdir "$work/quickstart"
cp "$root/examples/quickstart/main.tf" "$work/quickstart/"
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# The emulator's default credentials; against the cloud, set your own.
export HW_REGION_NAME=cn-north-4 HW_ACCESS_KEY=EMULATORACCESSKEY0001
export HW_SECRET_KEY=emulator-secret-key-0000000000000000000000
export HW_WORKSPACE_ENDPOINT="$url" HW_IAM_ENDPOINT="$url"
cd "$work/quickstart"

echo "==> terraform apply (dev_overrides: no terraform init needed)"
terraform apply -auto-approve -input=false -compact-warnings
snapshots=$(terraform output -raw snapshots)
jobs=$(terraform output -json job_ids)
echo "==> terraform plan (a second plan must find nothing to change)"
set +e
terraform plan -input=false -detailed-exitcode -compact-warnings >"$work/plan.log" 2>&1
plan_status=$?
set -e
if [ "$plan_status" -ne 0 ]; then cat "$work/plan.log"; echo "demo: the second plan was not empty (exit $plan_status)" >&2; exit 1; fi
echo "    no changes"
echo "==> terraform destroy"
terraform destroy -auto-approve -input=false -compact-warnings >/dev/null
stats=$(curl -fsS "$url/_emulator/stats")

echo
echo "==> Summary"
echo "    snapshots made:    $snapshots"
echo "    create job IDs:    $jobs"
echo "    left after destroy: $(printf '%s' "$stats" | sed -n 's/.*"snapshots":\([0-9]*\).*/\1/p') snapshots"
echo "    API calls:         $(printf '%s' "$stats" | sed -n 's/.*"requests_by_operation":{\([^}]*\)}.*/\1/p' | tr -d '"' | sed 's/,/, /g')"
echo "    elapsed:           $(( $(date +%s) - start ))s"
