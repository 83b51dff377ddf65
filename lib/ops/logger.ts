/**
 * Log lines for the long-running processes: one JSON object per line when the output is not a
 * terminal (for log collectors), readable text when it is; levels from `LOG_LEVEL`.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";

/** Severity, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Extra fields of a line (`camera`, `clip`, …). */
export type LogFields = Readonly<Record<string, unknown>>;

/** Writes log lines. */
export interface Logger {
  /** Details for debugging. */
  debug(message: string, fields?: LogFields): void;
  /** Events (connected, clip written, task logged). */
  info(message: string, fields?: LogFields): void;
  /** Trouble that is handled (a camera lost, Redis unreachable). */
  warn(message: string, fields?: LogFields): void;
  /** Failures. */
  error(message: string, fields?: LogFields): void;
}

/** Options of {@linkcode createLogger}. */
export interface LoggerOptions {
  /** which process writes (`capture`, `worker`, …) */
  readonly component: string;
  /**
   * Lowest level written.
   * @default "info"
   */
  readonly level?: LogLevel;
  /**
   * `json` for one object per line, `text` for people, `auto` for JSON unless stdout is a terminal.
   * @default "auto"
   */
  readonly format?: "auto" | "json" | "text";
  /**
   * Where lines go (tests).
   * @default info and debug to stdout, warn and error to stderr
   */
  readonly write?: (line: string, level: LogLevel) => void;
}

const encoder = new TextEncoder();

/**
 * Reads `LOG_LEVEL` (debug, info, warn, error) and `LOG_FORMAT` (auto, json, text).
 *
 * @returns the level and format lower-cased; unset or empty variables give `info` and `auto`
 * @throws {ConfigError} when `LOG_LEVEL` or `LOG_FORMAT` holds anything else
 *
 * @example
 * ```ts
 * import { readLogSettings } from "./logger.ts";
 * console.log(readLogSettings({ LOG_LEVEL: "debug" })); // { level: "debug", format: "auto" }
 * ```
 */
export function readLogSettings(
  env: Readonly<Record<string, string | undefined>>,
): { level: LogLevel; format: "auto" | "json" | "text" } {
  const level = (env.LOG_LEVEL?.trim().toLowerCase() || "info") as LogLevel;
  if (!LEVELS.includes(level)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of ${LEVELS.join(", ")}, got ${JSON.stringify(env.LOG_LEVEL)}`,
    );
  }
  const format = (env.LOG_FORMAT?.trim().toLowerCase() || "auto") as "auto" | "json" | "text";
  if (!["auto", "json", "text"].includes(format)) {
    throw new ConfigError(`LOG_FORMAT must be auto, json or text, got ${JSON.stringify(env.LOG_FORMAT)}`);
  }
  return { level, format };
}

/**
 * A logger for one process.
 *
 * @returns a logger that drops lines below `level`; with `auto`, JSON is chosen once, from whether stdout is
 *   a terminal when the logger is made
 *
 * @example
 * ```ts
 * import { createLogger } from "./logger.ts";
 * const log = createLogger({ component: "capture", format: "json" });
 * log.info("clip written", { camera: "front", clip: "front/20260223-144657.mp4" });
 * // {"ts":"2026-…","level":"info","component":"capture","msg":"clip written","camera":"front",…}
 * ```
 */
export function createLogger(options: LoggerOptions): Logger {
  const { component, level = "info", format = "auto" } = options;
  const json = format === "json" || (format === "auto" && !Deno.stdout.isTerminal());
  const min = LEVELS.indexOf(level);
  const write = options.write ??
    ((line: string, l: LogLevel) =>
      (l === "warn" || l === "error" ? Deno.stderr : Deno.stdout).writeSync(encoder.encode(line + "\n")));
  const emit = (l: LogLevel, message: string, fields: LogFields = {}) => {
    if (LEVELS.indexOf(l) < min) return;
    const ts = new Date().toISOString();
    if (json) {
      write(JSON.stringify({ ts, level: l, component, msg: message, ...fields }), l);
      return;
    }
    const who = typeof fields.camera === "string" ? `${component} ${fields.camera}` : component;
    write(`${ts} ${l.padEnd(5)} ${who}: ${message}`, l);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}
