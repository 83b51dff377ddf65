#!/usr/bin/env bash
# deno task check: formatting, lint, types, documentation and a publish dry run (CI runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
deno fmt --check
deno lint
deno check mod.ts lib/ scripts/ tests/
# Every exported symbol documented. The findings let through: functions that return
# nodejs-polars' DataFrame, and ChartOptions built on Observable Plot's PlotOptions, which the
# linter calls private to this package although they are those packages' public types.
report=$(NO_COLOR=1 deno doc --lint $(ls lib/*.ts lib/yolo/*.ts | grep -v inference_worker.ts) 2>&1 || true)
problems=$(printf '%s\n' "$report" | grep -E '^error\[' | grep -vE "references private type '(pl|DataFrame|PlotOptions)'" || true)
if [ -n "$problems" ]; then
  printf '%s\n' "$report"
  exit 1
fi
deno publish --dry-run --allow-dirty
