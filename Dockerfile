# One image for every role; the command picks it: capture, worker, notebooks (Jupyter), camera
# (the emulator), demo.
#   docker build -t camwatch .
#   docker run --rm camwatch analyze --help
# Not built on the machines this project is developed on (no Docker engine there): see README.
FROM denoland/deno:bin-2.9.6 AS deno

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates tini ffmpeg redis-tools \
      python3-gi gir1.2-gst-rtsp-server-1.0 gir1.2-gstreamer-1.0 \
      gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly \
      fonts-dejavu-core jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient \
 && rm -rf /var/lib/apt/lists/*
COPY --from=deno /deno /usr/local/bin/deno

RUN useradd --system --create-home --home-dir /home/camwatch camwatch \
 && mkdir -p /app /video && chown camwatch:camwatch /app /video
USER camwatch
WORKDIR /app
ENV DENO_DIR=/home/camwatch/.cache/deno

# Dependencies first, so that a code change does not download them again.
COPY --chown=camwatch:camwatch deno.json deno.lock ./
RUN deno install --frozen && deno jupyter --install
COPY --chown=camwatch:camwatch . .
RUN deno cache mod.ts notebook.ts scripts/*.ts lib/yolo/inference_worker.ts

ENV VIDEO_DIR=/video METRICS_HOST=0.0.0.0 LOG_FORMAT=json
VOLUME ["/video"]
EXPOSE 9464 9465 8554 8888
ENTRYPOINT ["tini", "--", "deno", "task"]
CMD ["worker"]
