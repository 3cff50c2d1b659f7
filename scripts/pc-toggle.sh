#!/usr/bin/env bash
# Runbook wrapper over `snakebatch pc`: provisioned concurrency on the shards' `live`
# aliases. Every "on" schedules its own AWS-side off (EventBridge Scheduler), so a
# crashed laptop or CI job cannot leak slots. Extra flags (--dry-run, --json,
# --role-arn ARN, --profile, --region, --env, --yes) are passed through to the CLI.
#
#   pc-toggle.sh on SLOTS [TTL] [flags]          e.g. on 81 30m
#   pc-toggle.sh for-job ROWS LAYERS [flags]     slots and TTL from `snakebatch plan`
#   pc-toggle.sh off | status [flags]
#
# for-job plans for the mesh's default completion; PC_TOGGLE_COMPLETION=conquer plans
# for the predecessor's blocking conquer, which holds each slot longer and needs more of them.
set -euo pipefail

SNAKEBATCH="${SNAKEBATCH:-snakebatch}"
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
    plan_args=(--rows "$rows" --layers "$layers")
    case "$COMPLETION" in
      "") ;;
      queue | conquer) plan_args+=(--completion "$COMPLETION") ;;
      *) echo "error: PC_TOGGLE_COMPLETION must be queue or conquer, got '$COMPLETION'" >&2; exit 2 ;;
    esac
    # pc on plans the slots and the TTL (on-window + 10 min) itself; its report is
    # its only output on stdout, so --json stays one JSON document.
    exec "$SNAKEBATCH" pc on "${plan_args[@]}" "$@"
    ;;
  off | status)
    exec "$SNAKEBATCH" pc "$cmd" "$@"
    ;;
  *)
    usage
    ;;
esac
