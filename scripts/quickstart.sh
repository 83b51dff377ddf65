#!/usr/bin/env bash
# Sets up what camwatch needs on a Debian/Ubuntu machine, then runs one deno task.
#   bash scripts/quickstart.sh demo    # the main job on the bundled sample
#   bash scripts/quickstart.sh test    # the test suite
#   bash scripts/quickstart.sh notebooks   # Jupyter with the Deno kernel, on 127.0.0.1 with a token
#   bash scripts/quickstart.sh compose-check   # build the images and run the container stack, then remove it
# Safe to run again: it installs only what is missing and says what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

task="${1:-demo}"
shift || true
say() { printf 'quickstart: %s\n' "$*" >&2; }

# System packages the toolkit and its tests use: ffmpeg; redis-server (a private one for the
# demo and the tests); GStreamer's RTSP server with its Python bindings for the camera emulator;
# bsdutils for `script` (terminal tests); a font for labels drawn on frames; Jupyter (the classic notebook and nbconvert, which the
# tests use to run every notebook headlessly).
APT_PACKAGES=(ffmpeg redis-server python3-gi gir1.2-gst-rtsp-server-1.0 gir1.2-gstreamer-1.0
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly bsdutils
  fonts-dejavu-core jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient)
# The container check needs a Docker engine and Compose, and mmdebstrap to make base images when
# no registry can be reached.
if [ "$task" = "compose-check" ]; then APT_PACKAGES+=(docker.io docker-compose mmdebstrap); fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root to run: $*"; exit 1
  fi
}

missing=()
if command -v dpkg-query >/dev/null; then
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
else
  command -v ffmpeg >/dev/null || missing+=(ffmpeg)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    say "installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing: ${missing[*]}; install them first (see README, macOS section)"
    exit 1
  fi
else
  say "system packages present: ${APT_PACKAGES[*]}"
fi

if ! command -v deno >/dev/null || ! deno --version | grep -qE '^deno 2\.'; then
  if ! command -v npm >/dev/null; then
    say "installing Node.js and npm (to fetch Deno from the npm registry)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  say "installing Deno from the npm registry (npm i -g deno)"
  as_root npm i -g deno >/dev/null 2>&1 || as_root npm i -g deno
  hash -r
fi
say "using $(deno --version | head -n 1)"

say "installing npm dependencies (deno install, from deno.lock)"
deno install --frozen --quiet

if ! jupyter kernelspec list 2>/dev/null | grep -qE '^\s+deno\s'; then
  say "registering the Deno kernel with Jupyter (deno jupyter --install)"
  deno jupyter --install >/dev/null 2>&1
fi

say "running: deno task $task $*"
exec deno task "$task" "$@"
