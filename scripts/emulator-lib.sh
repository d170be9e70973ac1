# Sourced by scripts/demo.sh and bench/join-plan.sh: start the emulator
# built into $work/bin, and point Terraform at the provider built there.
# bash 3.2 (macOS's) compatible.

# start_emulator WHO ARGS...: starts workspace-emulator with ARGS on
# loopback, logging to $work/emulator.log, and sets emulator_pid and url;
# exits naming WHO when it does not start within 5 s.
start_emulator() {
  local who=$1
  shift
  "$work/bin/workspace-emulator" -listen 127.0.0.1:0 "$@" >"$work/emulator.log" 2>&1 &
  emulator_pid=$!
  for _ in $(seq 50); do
    grep -q '^listening on ' "$work/emulator.log" 2>/dev/null && break
    sleep 0.1
  done
  url=$(sed -n '1s/^listening on //p' "$work/emulator.log")
  [ -n "$url" ] || { echo "$who: the emulator did not start:" >&2; cat "$work/emulator.log" >&2; exit 1; }
}

# write_dev_overrides: a Terraform CLI configuration, $work/terraformrc,
# that takes the provider from $work/bin instead of the registry (with
# dev_overrides Terraform needs no terraform init).
write_dev_overrides() {
  cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/cloud-desktop/workspace" = "$work/bin"
  }
  direct {}
}
RC
}
