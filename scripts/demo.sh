#!/usr/bin/env bash
# make demo: the whole flow with no cloud account. Builds the provider and
# the emulator, starts the emulator on loopback, runs terraform apply, plan
# and destroy of examples/quickstart through a dev_overrides CLI
# configuration in a temporary directory, stops the emulator and says what
# happened. Plain text (terraform -no-color, no progress line redrawn) when
# stdout is not a terminal, as in CI logs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=scripts/emulator-lib.sh
. scripts/emulator-lib.sh
command -v terraform >/dev/null || { echo "demo: terraform is not on PATH (Terraform 1.11 or newer is required)" >&2; exit 1; }
command -v go >/dev/null || { echo "demo: go is not on PATH (Go 1.26 or newer is required)" >&2; exit 1; }
tty=false
if [ -t 1 ]; then tty=true; fi
# Unquoted where used: empty on a terminal (bash 3.2, macOS's, has no empty
# arrays under set -u).
nocolor=-no-color
if $tty; then nocolor=""; fi
work=$(mktemp -d)
emulator_pid=""
ticker_pid=""
cleanup() {
  if [ -n "$ticker_pid" ]; then kill "$ticker_pid" 2>/dev/null || true; fi
  if [ -n "$emulator_pid" ]; then kill -TERM "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
start=$(date +%s)

# Prints how long the build has run, every 2 s in place on a terminal, every
# 15 s as a new line otherwise, until killed.
tick() {
  local began=$1 n
  while sleep 1; do
    n=$(($(date +%s) - began))
    if $tty; then
      [ $((n % 2)) -eq 0 ] && printf '\r    building... %ds' "$n"
    elif [ $((n % 15)) -eq 0 ]; then
      echo "    still building... ${n}s"
    fi
  done
}

echo "==> Building the provider and the emulator (go build; the first build on a machine downloads and compiles their Go modules)"
tick "$start" &
ticker_pid=$!
if ! go build -o "$work/bin/" . ./cmd/workspace-emulator 2>"$work/build.log"; then
  kill "$ticker_pid" 2>/dev/null || true; ticker_pid=""
  if $tty; then echo; fi
  cat "$work/build.log" >&2
  echo "demo: the build failed" >&2
  exit 1
fi
kill "$ticker_pid" 2>/dev/null || true; wait "$ticker_pid" 2>/dev/null || true; ticker_pid=""
if $tty; then printf '\r\033[K'; fi
built=$(($(date +%s) - start))
echo "    built in ${built}s"

echo "==> Starting the emulator (8 desktops, jobs of 3s)"
start_emulator demo -desktops 8 -job-duration 3s -seed 1
echo "    emulator at $url"

# The provider just built, used in place of a registry download: with
# dev_overrides Terraform needs no terraform init (CONTRIBUTING.md: "Use your own build").
write_dev_overrides
mkdir "$work/quickstart"
cp "$root/examples/quickstart/main.tf" "$work/quickstart/"
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# The emulator's default credentials; against the cloud, set your own.
export HW_REGION_NAME=cn-north-4 HW_ACCESS_KEY=EMULATORACCESSKEY0001
export HW_SECRET_KEY=emulator-secret-key-0000000000000000000000
export HW_WORKSPACE_ENDPOINT="$url" HW_IAM_ENDPOINT="$url"
cd "$work/quickstart"

echo "==> terraform apply: snapshot every desktop, then restore them to those snapshots"
terraform apply -auto-approve -input=false -compact-warnings $nocolor
desktops=$(terraform output -raw desktops)
snapshots=$(terraform output -raw snapshots)
system=$(terraform output -raw system_disk_snapshots)
jobs=$(terraform output -json job_ids | tr -d '[]"' | sed 's/,/, /g')
restore_jobs=$(terraform output -json restore_job_ids | tr -d '[]"' | sed 's/,/, /g')
restore_status=$(terraform output -raw restore_status)

echo "==> terraform plan: a second plan must find nothing to change"
set +e
terraform plan -input=false -detailed-exitcode -compact-warnings $nocolor >"$work/plan.log" 2>&1
plan_status=$?
set -e
if [ "$plan_status" -ne 0 ]; then cat "$work/plan.log"; echo "demo: the second plan was not empty (exit $plan_status)" >&2; exit 1; fi
echo "    no changes"

echo "==> terraform destroy: delete the batch's snapshots"
terraform destroy -auto-approve -input=false -compact-warnings $nocolor
stats=$(curl -fsS "$url/_emulator/stats")
left=$(printf '%s' "$stats" | sed -n 's/.*"snapshots":\([0-9]*\).*/\1/p')
calls=$(printf '%s' "$stats" | sed -n 's/.*"requests_by_operation":{\([^}]*\)}.*/\1/p' | tr -d '"' | sed 's/,/, /g; s/:/: /g')

data=$((snapshots - system))
if [ "$desktops" -gt 0 ] && [ $((data % desktops)) -eq 0 ]; then
  per_desktop="$desktops desktops x $((1 + data / desktops)) disks (a system disk and $((data / desktops)) data disk each)"
else
  per_desktop="$desktops desktops ($system system disks, $data data disks)"
fi
echo
echo "==> What happened"
echo "    apply    snapshotted $per_desktop = $snapshots snapshots,"
echo "             in batch-create job(s) $jobs;"
echo "             then restored the $desktops desktops to the newest of them in batch-restore job(s) $restore_jobs: $restore_status"
echo "    plan     found nothing to change: the state matches the service"
echo "    destroy  deleted the batch's $snapshots snapshots; the restore was only forgotten (destroying it calls no API)."
echo "             The emulator holds $left snapshots now."
echo "    API calls the emulator counted: $calls"
echo "    elapsed: $(($(date +%s) - start))s (build ${built}s)"
