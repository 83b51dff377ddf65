/**
 * Metrics in Prometheus' text format, and the health/metrics server on a free loopback port.
 */
import assert from "node:assert/strict";
import { serveHealth } from "../../lib/ops/health_server.ts";
import { MetricsRegistry } from "../../lib/ops/metrics.ts";

Deno.test("counters, gauges and histograms render in Prometheus' text format", () => {
  const r = new MetricsRegistry();
  const frames = r.counter("camwatch_frames_total", "Grey frames read.");
  frames.inc({ camera: "front" });
  frames.inc({ camera: "front" }, 2);
  frames.inc({ camera: 'ya"rd' });
  r.gauge("camwatch_outbox_tasks", "Tasks waiting for Redis.").set(4);
  const h = r.histogram("camwatch_inference_ms", "Inference per frame.", [50, 100]);
  for (const v of [40, 90, 120]) h.observe(v);
  assert.equal(r.counter("camwatch_frames_total", "again").get({ camera: "front" }), 3, "the same counter");
  assert.equal(
    r.render(),
    [
      "# HELP camwatch_frames_total Grey frames read.",
      "# TYPE camwatch_frames_total counter",
      'camwatch_frames_total{camera="front"} 3',
      'camwatch_frames_total{camera="ya\\"rd"} 1',
      "# HELP camwatch_outbox_tasks Tasks waiting for Redis.",
      "# TYPE camwatch_outbox_tasks gauge",
      "camwatch_outbox_tasks 4",
      "# HELP camwatch_inference_ms Inference per frame.",
      "# TYPE camwatch_inference_ms histogram",
      'camwatch_inference_ms_bucket{le="50"} 1',
      'camwatch_inference_ms_bucket{le="100"} 2',
      'camwatch_inference_ms_bucket{le="+Inf"} 3',
      "camwatch_inference_ms_sum 250",
      "camwatch_inference_ms_count 3",
      "",
    ].join("\n"),
  );
  assert.throws(() => r.gauge("camwatch_frames_total", "x"), /already exists as a counter/);
  assert.throws(() => frames.inc({}, -1), /only goes up/);
  assert.throws(() => r.counter("bad name", "x"), /bad metric name/);
});

Deno.test("/healthz and /metrics on 127.0.0.1; 503 when not healthy; 404 elsewhere", async () => {
  const registry = new MetricsRegistry();
  registry.counter("camwatch_clips_total", "Clips written.").inc({ camera: "front" });
  let healthy = true;
  const server = serveHealth({
    port: 0,
    registry,
    health: () => ({ ok: healthy, cameras: { front: "connected" } }),
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const ok = await fetch(`${base}/healthz`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { ok: true, cameras: { front: "connected" } });
    healthy = false;
    const bad = await fetch(`${base}/healthz`);
    assert.equal(bad.status, 503);
    await bad.body?.cancel();
    const metrics = await fetch(`${base}/metrics`);
    assert.match(metrics.headers.get("content-type") ?? "", /text\/plain; version=0\.0\.4/);
    assert.match(await metrics.text(), /^camwatch_clips_total\{camera="front"\} 1$/m);
    const missing = await fetch(`${base}/other`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await server.close();
  }
});
