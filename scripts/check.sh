#!/usr/bin/env bash
# deno task check: formatting, lint, types, documentation and a publish dry run (CI runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
deno fmt --check
deno lint
deno check mod.ts notebook.ts lib/ scripts/ tools/ tests/
# The examples in the documentation type-check too.
deno check --doc mod.ts notebook.ts lib/ tools/
# Every exported symbol documented. The findings let through name other packages' public types,
# which the linter calls private to this one: nodejs-polars' DataFrame, Observable Plot's
# PlotOptions, valibot's GenericSchema (the exported schemas) and ioredis' Redis client.
report=$(NO_COLOR=1 deno doc --lint $(find lib -name '*.ts' ! -name inference_worker.ts | sort) 2>&1 || true)
problems=$(printf '%s\n' "$report" | grep -E '^error\[' | grep -vE "references private type '(pl|DataFrame|PlotOptions|GenericSchema|Redis)'" || true)
if [ -n "$problems" ]; then
  printf '%s\n' "$report"
  exit 1
fi
deno publish --dry-run --allow-dirty
