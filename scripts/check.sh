#!/usr/bin/env bash
# deno task check: formatting, lint, types, documentation and a publish dry run (CI runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
deno fmt --check
deno lint
deno check mod.ts lib/ scripts/ tests/
# Every exported symbol documented. The one finding let through: DetectionLog's DataFrame
# methods return nodejs-polars' own type, which the linter calls private to this package.
report=$(NO_COLOR=1 deno doc --lint $(ls lib/*.ts lib/yolo/*.ts | grep -v inference_worker.ts) 2>&1 || true)
problems=$(printf '%s\n' "$report" | grep -E '^error\[' | grep -vE "references private type '(pl|DataFrame)'" || true)
if [ -n "$problems" ]; then
  printf '%s\n' "$report"
  exit 1
fi
deno publish --dry-run --allow-dirty
