#!/usr/bin/env bash
# bench/join-plan.sh N: how long the plan of a one-desktop join is, in lines
# and seconds, for examples/fleet (desktops_matching) over N desktops. Builds
# the provider and the emulator, applies the example against the emulator
# through dev_overrides, adds one desktop, and runs terraform plan once.
# Prints "N=… plan: L lines, S s, M KiB peak" and keeps the plan's text in
# $OUT (default /tmp/join-plan-N.txt). Needs terraform and go on PATH, and
# GNU time at /usr/bin/time.
set -euo pipefail
n=${1:-1000}
cd "$(dirname "$0")/.."
# shellcheck source=scripts/emulator-lib.sh
. scripts/emulator-lib.sh
work=$(mktemp -d)
out=${OUT:-/tmp/join-plan-$n.txt}
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/bin/" . ./cmd/workspace-emulator
start_emulator join-plan -desktops "$n" -job-duration 1s -seed 1
write_dev_overrides
mkdir "$work/fleet"
cp examples/fleet/main.tf "$work/fleet/"
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export HW_WORKSPACE_ENDPOINT="$url" HW_IAM_ENDPOINT="$url" HW_REGION_NAME=cn-north-4
export HW_ACCESS_KEY=EMULATORACCESSKEY0001 HW_SECRET_KEY=emulator-secret-key-0000000000000000000000
export HW_PROJECT_ID=0a1b2c3d4e5f40718293a4b5c6d7e8f9
cd "$work/fleet"
terraform apply -auto-approve -no-color -var night=1 >"$work/apply.log" 2>&1 || { tail -30 "$work/apply.log" >&2; exit 1; }
curl -sf -X POST "$url/_emulator/desktops" -d '{"add": [{}]}' >/dev/null
/usr/bin/time -f "%e %M" -o "$work/time" terraform plan -no-color -var night=1 >"$out" 2>&1
read -r seconds kib <"$work/time"
echo "N=$n plan: $(wc -l <"$out") lines, $seconds s, $kib KiB peak (terraform and the provider; text in $out)"
