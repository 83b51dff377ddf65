#!/usr/bin/env bash
# deno task check: formatting, lint, types, documentation and a publish dry run (CI runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
deno fmt --check
deno lint
deno check mod.ts lib/ scripts/ tests/
# Every exported symbol documented. detection_log.ts is left out: its DataFrame methods return
# nodejs-polars types, which the documentation linter reports as private to this package.
deno doc --lint $(ls lib/*.ts lib/yolo/*.ts | grep -v -e detection_log.ts -e inference_worker.ts)
deno publish --dry-run --allow-dirty
