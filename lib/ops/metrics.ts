/**
 * Metrics in Prometheus' text format: counters, gauges and histograms with labels, kept in a
 * registry that a `/metrics` endpoint renders. Small on purpose: no dependency, no I/O.
 *
 * @module
 */

/** Label names and values of one series (`{ camera: "front" }`). */
export type Labels = Readonly<Record<string, string>>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return "";
  const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
  return `{${keys.map((k) => `${k}="${escape(labels[k])}"`).join(",")}}`;
}

function checkName(name: string): void {
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) {
    throw new RangeError(`bad metric name ${JSON.stringify(name)}`);
  }
}

/** One metric family: its name, help text, type, and how it renders. */
export interface MetricFamily {
  /** metric name (`camwatch_frames_total`) */
  readonly name: string;
  /** one line saying what it counts */
  readonly help: string;
  /** Prometheus type */
  readonly type: "counter" | "gauge" | "histogram";
  /** its samples as text-format lines */
  render(): string[];
}

/**
 * One number per label set, the part counters and gauges share.
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "./metrics.ts";
 * const outbox = new MetricsRegistry().gauge("camwatch_outbox_tasks", "Tasks waiting for Redis.");
 * console.log(outbox.get()); // 0
 * ```
 */
export abstract class SingleValueMetric {
  /** metric name */
  readonly name: string;
  /** what it counts */
  readonly help: string;
  /** value per label set (the rendered label text is the key) */
  protected readonly values: Map<string, number> = new Map();
  /**
   * Checks the name; use {@linkcode MetricsRegistry} to create one.
   *
   * @throws {RangeError} when `name` is not a Prometheus metric name (letters, digits, `_` and `:`, not
   *   starting with a digit)
   */
  constructor(name: string, help: string) {
    checkName(name);
    this.name = name;
    this.help = help;
  }
  /** The current value for these labels. */
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  /** Text-format lines. */
  render(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k} ${v}`);
  }
}

/**
 * A counter: a number that only goes up (frames read, clips written…).
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "./metrics.ts";
 * const frames = new MetricsRegistry().counter("camwatch_frames_total", "Grey frames read.");
 * frames.inc({ camera: "front" });
 * ```
 */
export class Counter extends SingleValueMetric implements MetricFamily {
  /** Prometheus type */
  readonly type = "counter" as const;
  /**
   * Adds `by` (default 1) for these labels.
   *
   * @throws {RangeError} when `by` is negative
   */
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new RangeError("a counter only goes up");
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
}

/**
 * A gauge: a number that goes up and down (outbox size, clips in progress…).
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "./metrics.ts";
 * const outbox = new MetricsRegistry().gauge("camwatch_outbox_tasks", "Tasks waiting for Redis.");
 * outbox.set(3);
 * ```
 */
export class Gauge extends SingleValueMetric implements MetricFamily {
  /** Prometheus type */
  readonly type = "gauge" as const;
  /** Sets the value for these labels. */
  set(value: number, labels: Labels = {}): void {
    this.values.set(labelKey(labels), value);
  }
}

/**
 * A histogram: observations counted into buckets, with their sum and count (inference time,
 * clip analysis time…).
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "./metrics.ts";
 * const ms = new MetricsRegistry().histogram("camwatch_inference_ms", "Inference per frame.", [25, 50, 100, 200]);
 * ms.observe(92);
 * ```
 */
export class Histogram implements MetricFamily {
  /** Prometheus type */
  readonly type = "histogram" as const;
  /** metric name */
  readonly name: string;
  /** what it measures */
  readonly help: string;
  /** upper bounds of the buckets, increasing */
  readonly buckets: readonly number[];
  #series = new Map<string, { counts: number[]; sum: number; count: number; labels: Labels }>();
  /**
   * Creates a histogram; use {@linkcode MetricsRegistry.histogram}.
   *
   * @param buckets upper bounds, strictly increasing, in the unit observed; `+Inf` is added when rendering
   * @throws {RangeError} when `name` is not a Prometheus metric name or the buckets do not increase
   */
  constructor(name: string, help: string, buckets: readonly number[]) {
    checkName(name);
    this.name = name;
    this.help = help;
    this.buckets = buckets;
    if (!buckets.every((b, i) => i === 0 || b > buckets[i - 1])) {
      throw new RangeError("buckets must increase");
    }
  }
  /** Records one observation for these labels. */
  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(labels);
    let s = this.#series.get(key);
    if (!s) this.#series.set(key, s = { counts: this.buckets.map(() => 0), sum: 0, count: 0, labels });
    this.buckets.forEach((b, i) => {
      if (value <= b) s!.counts[i]++;
    });
    s.sum += value;
    s.count++;
  }
  /** Observations so far for these labels. */
  count(labels: Labels = {}): number {
    return this.#series.get(labelKey(labels))?.count ?? 0;
  }
  /** Text-format lines (cumulative buckets, `+Inf`, sum, count). */
  render(): string[] {
    const lines: string[] = [];
    for (const s of this.#series.values()) {
      this.buckets.forEach((b, i) =>
        lines.push(`${this.name}_bucket${labelKey({ ...s.labels, le: String(b) })} ${s.counts[i]}`)
      );
      lines.push(`${this.name}_bucket${labelKey({ ...s.labels, le: "+Inf" })} ${s.count}`);
      lines.push(`${this.name}_sum${labelKey(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelKey(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

/**
 * The metrics of one process, rendered for Prometheus.
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "./metrics.ts";
 * const registry = new MetricsRegistry();
 * registry.counter("camwatch_clips_total", "Clips written.").inc({ camera: "front" });
 * console.log(registry.render());
 * // # HELP camwatch_clips_total Clips written.
 * // # TYPE camwatch_clips_total counter
 * // camwatch_clips_total{camera="front"} 1
 * ```
 */
export class MetricsRegistry {
  #families = new Map<string, MetricFamily>();

  /**
   * A counter, created on first use.
   *
   * @returns the counter already registered under `name` when there is one (its `help` is kept)
   * @throws {TypeError} when `name` is registered as another type
   * @throws {RangeError} when `name` is not a Prometheus metric name
   */
  counter(name: string, help: string): Counter {
    return this.#get(name, () => new Counter(name, help), Counter);
  }

  /**
   * A gauge, created on first use.
   *
   * @returns the gauge already registered under `name` when there is one (its `help` is kept)
   * @throws {TypeError} when `name` is registered as another type
   * @throws {RangeError} when `name` is not a Prometheus metric name
   */
  gauge(name: string, help: string): Gauge {
    return this.#get(name, () => new Gauge(name, help), Gauge);
  }

  /**
   * A histogram, created on first use.
   *
   * @returns the histogram already registered under `name` when there is one (its `help` and buckets are
   *   kept)
   * @throws {TypeError} when `name` is registered as another type
   * @throws {RangeError} when `name` is not a Prometheus metric name or the buckets do not increase
   */
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.#get(name, () => new Histogram(name, help, buckets), Histogram);
  }

  /** All metrics in Prometheus' text exposition format (version 0.0.4). */
  render(): string {
    const out: string[] = [];
    for (const f of this.#families.values()) {
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.render());
    }
    return out.join("\n") + "\n";
  }

  #get<T extends MetricFamily>(name: string, make: () => T, kind: new (...args: never[]) => T): T {
    const existing = this.#families.get(name);
    if (existing) {
      if (!(existing instanceof kind)) {
        throw new TypeError(`metric ${name} already exists as a ${existing.type}`);
      }
      return existing;
    }
    const made = make();
    this.#families.set(name, made);
    return made;
  }
}
