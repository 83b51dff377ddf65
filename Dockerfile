# camwatch images, one per role, from one file:
#   pipeline (default): capture, worker, analyze, demo. ffmpeg and Deno; no Jupyter, no GStreamer.
#   lab: the notebooks (Jupyter with the Deno kernel) and the camera emulator (GStreamer).
#
#   docker build -t camwatch .                      # the pipeline image
#   docker build --target lab -t camwatch-lab .     # the notebooks and the emulator
#
# Base images are build arguments, so that mirrored or air-gapped builds can name their own:
#   docker build --build-arg BASE_IMAGE=registry.local/debian:bookworm-slim \
#                --build-arg DENO_IMAGE=registry.local/deno:bin-2.9.6 -t camwatch .
# Behind a TLS-inspecting proxy, put its CA certificate in docker/ca/ (see the README there).
# `deno task compose-check` builds both and runs the stack (README, "Containers").
ARG BASE_IMAGE=debian:bookworm-slim
ARG DENO_IMAGE=denoland/deno:bin-2.9.6

FROM ${DENO_IMAGE} AS deno

# ffmpeg and ffprobe with the libraries they link and nothing else. Debian's ffmpeg package also
# pulls Mesa and LLVM (about 300 MB) through SDL, for playback devices a recorder never opens.
FROM ${BASE_IMAGE} AS ffmpeg
RUN find / -xdev -name '*.so*' > /tmp/base-libs \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg \
 && mkdir -p /out/usr/bin && cp /usr/bin/ffmpeg /usr/bin/ffprobe /out/usr/bin/ \
 && for lib in $(ldd /usr/bin/ffmpeg /usr/bin/ffprobe | awk '$3 ~ /^\// { print $3 }' | sort -u); do \
      dir="$(readlink -f "$(dirname "$lib")")"; \
      grep -qxF "$dir/$(basename "$lib")" /tmp/base-libs && continue; \
      mkdir -p "/out$dir" && cp -L "$lib" "/out$dir/"; \
    done

FROM ${BASE_IMAGE} AS base
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=ffmpeg /out/ /
RUN ldconfig && ffmpeg -hide_banner -version > /dev/null && ffprobe -hide_banner -version > /dev/null
# Deno's HTTPS downloads trust the CA certificates put in docker/ca/ (a TLS-inspecting proxy).
COPY docker/ca/ /usr/local/share/ca-certificates/camwatch/
RUN find /usr/local/share/ca-certificates/camwatch ! -name '*.crt' -type f -delete && update-ca-certificates
COPY --from=deno /deno /usr/local/bin/deno
RUN useradd --system --create-home --home-dir /home/camwatch camwatch \
 && mkdir -p /app /video && chown camwatch:camwatch /app /video
WORKDIR /app
ENV DENO_DIR=/home/camwatch/.cache/deno DENO_CERT=/etc/ssl/certs/ca-certificates.crt \
    DENO_NO_UPDATE_CHECK=1 VIDEO_DIR=/video METRICS_HOST=0.0.0.0 LOG_FORMAT=json
VOLUME ["/video"]
ENTRYPOINT ["tini", "--", "deno", "task"]

FROM base AS lab
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3-gi gir1.2-gst-rtsp-server-1.0 gir1.2-gstreamer-1.0 \
      gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly \
      fonts-dejavu-core jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient \
 && rm -rf /var/lib/apt/lists/*
USER camwatch
COPY --chown=camwatch:camwatch deno.json deno.lock mod.ts notebook.ts ./
COPY --chown=camwatch:camwatch docker/prune-npm.sh docker/
COPY --chown=camwatch:camwatch lib/ lib/
COPY --chown=camwatch:camwatch scripts/ scripts/
COPY --chown=camwatch:camwatch tools/ tools/
COPY --chown=camwatch:camwatch models/ models/
COPY --chown=camwatch:camwatch notebooks/ notebooks/
COPY --chown=camwatch:camwatch video/samples/ video/samples/
RUN deno install --frozen --entrypoint mod.ts notebook.ts scripts/notebooks.ts scripts/camera.ts \
      lib/yolo/inference_worker.ts \
 && deno jupyter --install \
 && sh docker/prune-npm.sh lab
EXPOSE 8888 8554
CMD ["notebooks"]

# The last stage is what `docker build .` makes.
FROM base AS pipeline
USER camwatch
COPY --chown=camwatch:camwatch deno.json deno.lock mod.ts ./
COPY --chown=camwatch:camwatch docker/prune-npm.sh docker/
COPY --chown=camwatch:camwatch lib/ lib/
COPY --chown=camwatch:camwatch scripts/ scripts/
COPY --chown=camwatch:camwatch models/ models/
COPY --chown=camwatch:camwatch video/samples/ video/samples/
# Only what the pipeline's commands import (no Plot, linkedom or polars), then only this
# machine's ONNX Runtime binaries (the package ships five platforms).
RUN deno install --frozen --entrypoint mod.ts scripts/capture.ts scripts/worker.ts scripts/analyze.ts \
      lib/yolo/inference_worker.ts \
 && sh docker/prune-npm.sh pipeline
EXPOSE 9464 9465
CMD ["worker"]
