#!/bin/sh
# Run in an image build right after `deno install`: keeps only the npm files the image's role
# loads. Usage: sh docker/prune-npm.sh pipeline|lab
#  - ONNX Runtime's package ships binaries for five platforms (about 290 MB): keep this one's.
#  - sharp's musl builds are for Alpine; these images are Debian (glibc).
#  - pipeline: the notebook packages (Plot with d3, linkedom, nodejs-polars, yaml) are never
#    imported by capture, worker or analyze (tests/layout_test.ts checks that).
#  - node_modules holds hard links into Deno's npm cache: once it is set up, the cache is a second
#    name for the same files, and the only one left of what is removed here; drop it.
#  - deno.json's "nodeModulesDir" becomes "manual": node_modules is complete for this role, and
#    with "auto" Deno would try to download at start what was removed (no network in production).
set -eu
role="$1"
nm=node_modules/.deno
arch="$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
for bin in "$nm"/onnxruntime-node@*/node_modules/onnxruntime-node/bin/napi-v*; do
  for platform in "$bin"/*/*; do
    [ "$platform" = "$bin/linux/$arch" ] || rm -rf "$platform"
  done
done
rm -rf "$nm"/*musl*
if [ "$role" = pipeline ]; then
  rm -rf "$nm"/@observablehq+plot@* "$nm"/d3@* "$nm"/d3-* "$nm"/linkedom@* "$nm"/nodejs-polars* "$nm"/yaml@*
fi
rm -rf "${DENO_DIR:?}/npm"
sed -i 's/"nodeModulesDir": "auto"/"nodeModulesDir": "manual"/' deno.json
grep -q '"nodeModulesDir": "manual"' deno.json
