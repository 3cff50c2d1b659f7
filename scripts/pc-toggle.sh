#!/usr/bin/env bash
# Runbook wrapper over `snakebatch pc`: provisioned concurrency on the shards' `live`
# aliases. Every "on" schedules its own AWS-side off (EventBridge Scheduler), so a
# crashed laptop or CI job cannot leak slots. Extra flags (--dry-run, --json,
# --role-arn ARN) are passed through to the CLI.
#
#   pc-toggle.sh on SLOTS [TTL] [flags]          e.g. on 81 30m
#   pc-toggle.sh for-job ROWS LAYERS [flags]     slots and TTL from `snakebatch plan`
#   pc-toggle.sh off | status [flags]
#
# for-job plans for the mesh's default completion; PC_TOGGLE_COMPLETION=conquer plans
# for the seed's blocking conquer, which holds each slot longer and needs more of them.
set -euo pipefail

SNAKEBATCH="${SNAKEBATCH:-snakebatch}"
PYTHON="${PYTHON:-python3}"
MARGIN_S="${PC_TOGGLE_MARGIN_S:-600}"
COMPLETION="${PC_TOGGLE_COMPLETION:-}"

usage() {
  sed -n '7,9p' "$0" | sed 's/^#  */usage: /' >&2
  exit 2
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  on)
    [ $# -ge 1 ] || usage
    slots="$1"; shift
    ttl="30m"
    if [ $# -ge 1 ] && [[ "$1" != --* ]]; then ttl="$1"; shift; fi
    exec "$SNAKEBATCH" pc on --slots "$slots" --ttl "$ttl" "$@"
    ;;
  for-job)
    [ $# -ge 2 ] || usage
    rows="$1"; layers="$2"; shift 2
    plan_args=(--rows "$rows" --layers "$layers" --json)
    case "$COMPLETION" in
      "") ;;
      queue | conquer) plan_args+=(--completion "$COMPLETION") ;;
      *) echo "error: PC_TOGGLE_COMPLETION must be queue or conquer, got '$COMPLETION'" >&2; exit 2 ;;
    esac
    # A failing plan (bad rows, say) exits here with its own message and code.
    plan_json=$("$SNAKEBATCH" plan "${plan_args[@]}")
    read -r slots window < <("$PYTHON" -c \
      'import json, sys; d = json.load(sys.stdin); print(d["slots"], int(d["window_s"]))' \
      <<<"$plan_json")
    if [ "$slots" -eq 0 ]; then
      echo "no provisioned slots needed for $rows rows x $layers layers"
      exit 0
    fi
    ttl=$(( window + MARGIN_S ))
    echo "plan: $slots slots for ${window}s (+${MARGIN_S}s margin)"
    exec "$SNAKEBATCH" pc on --slots "$slots" --ttl "${ttl}s" "$@"
    ;;
  off | status)
    exec "$SNAKEBATCH" pc "$cmd" "$@"
    ;;
  *)
    usage
    ;;
esac
