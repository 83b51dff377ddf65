/**
 * A `deno task` as a user starts it: a real `deno task --quiet NAME ...args` subprocess in the
 * project's folder, so the command runs with the task's own permission flags from deno.json,
 * never with the test runner's `--allow-all`. tests/commands/tasks_test.ts checks that every task
 * is started this way by some test, by looking for `denoTask("NAME"` in the test files.
 *
 * @module
 */

import { repoPath } from "./media.ts";
import { until } from "./until.ts";

/** Options of {@linkcode denoTask}: those of `Deno.Command`, with piped output by default. */
export interface DenoTaskOptions {
  /** variables added to the test's environment (the task inherits the rest, as from a shell) */
  readonly env?: Record<string, string>;
  /** @default "null" */
  readonly stdin?: "piped" | "inherit" | "null";
  /** @default "piped" */
  readonly stdout?: "piped" | "inherit" | "null";
  /** @default "piped" */
  readonly stderr?: "piped" | "inherit" | "null";
  /** @default the repository's root, where deno.json is */
  readonly cwd?: string;
  /** start from an empty environment (then `env` is all the task gets, PATH included) */
  readonly clearEnv?: boolean;
}

/**
 * The command `deno task --quiet NAME ...args`; `.output()` runs it to its end, `.spawn()` starts
 * it (stop it with `child.kill("SIGTERM")`: `deno task` passes the signal on to the script).
 *
 * @example
 * ```ts
 * import { denoTask } from "./deno_task.ts";
 * const out = await denoTask("analyze", ["--help"]).output();
 * console.log(out.code); // 0
 * ```
 */
export function denoTask(
  name: string,
  args: readonly string[] = [],
  options: DenoTaskOptions = {},
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", name, ...args],
    cwd: options.cwd ?? repoPath(""),
    env: options.env,
    clearEnv: options.clearEnv,
    stdin: options.stdin ?? "null",
    stdout: options.stdout ?? "piped",
    stderr: options.stderr ?? "piped",
  });
}

/** What a finished task printed, decoded. */
export interface TaskOutput {
  readonly code: number;
  readonly signal: Deno.Signal | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Decodes the output of a finished {@linkcode denoTask} (or its spawned child). */
export function decodeOutput(out: Deno.CommandOutput): TaskOutput {
  const decoder = new TextDecoder();
  return {
    code: out.code,
    signal: out.signal,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** Collects a stream's text as it comes, so that a running task's pipe never fills up. */
class Collector {
  #text = "";
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) this.#text += chunk;
    })();
  }

  /** everything read so far */
  get text(): string {
    return this.#text;
  }
}

/** A task started with {@linkcode spawnTask}: its process, and its output as it comes. */
export interface RunningTask extends AsyncDisposable {
  /** process id of `deno task` (it passes signals on to the script) */
  readonly pid: number;
  /** stdout so far */
  readonly stdout: () => string;
  /** stderr so far */
  readonly stderr: () => string;
  /** the exit status, once it has exited */
  readonly status: Promise<Deno.CommandStatus>;
  /**
   * Waits until stdout matches `pattern` and returns the match; fails at once, with the output,
   * if the task exits first, and after `timeoutMs` otherwise.
   */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Sends `signal` (default SIGTERM) unless it has exited, and returns its output once it has. */
  stop(signal?: Deno.Signal): Promise<TaskOutput>;
}

/**
 * Starts `deno task --quiet NAME ...args` and reads its stdout and stderr as they come.
 * `await using` stops it (SIGTERM, then SIGKILL after 10 s) if the test has not.
 *
 * @example
 * ```ts
 * import { spawnTask } from "./deno_task.ts";
 * await using camera = spawnTask("camera", ["--port", "8554"]);
 * await camera.waitFor(/streaming .* at (rtsp:\S+)/, 30_000);
 * ```
 */
export function spawnTask(
  name: string,
  args: readonly string[] = [],
  options: DenoTaskOptions = {},
): RunningTask {
  const child = denoTask(name, args, { ...options, stdout: "piped", stderr: "piped" }).spawn();
  const stdout = new Collector(child.stdout);
  const stderr = new Collector(child.stderr);
  let exited = false;
  const status = child.status.then(async (s) => {
    await Promise.all([stdout.done, stderr.done]);
    exited = true;
    return s;
  });
  const output = async (): Promise<TaskOutput> => {
    const s = await status;
    return { code: s.code, signal: s.signal, stdout: stdout.text, stderr: stderr.text };
  };
  const stop = async (signal: Deno.Signal = "SIGTERM"): Promise<TaskOutput> => {
    if (!exited) {
      try {
        child.kill(signal);
      } catch { /* exited meanwhile */ }
    }
    return await output();
  };
  return {
    pid: child.pid,
    stdout: () => stdout.text,
    stderr: () => stderr.text,
    status,
    async waitFor(pattern, timeoutMs) {
      await until(
        () => exited || pattern.test(stdout.text),
        timeoutMs,
        `deno task ${name} to print ${pattern}`,
      )
        .catch((e) => {
          throw new Error(`${e.message}; stdout: ${stdout.text}\nstderr: ${stderr.text}`);
        });
      const match = stdout.text.match(pattern);
      if (!match) {
        const s = await status;
        throw new Error(
          `deno task ${name} exited (${s.code}) before printing ${pattern}; stdout: ${stdout.text}\nstderr: ${stderr.text}`,
        );
      }
      return match;
    },
    stop,
    async [Symbol.asyncDispose]() {
      if (exited) return;
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* exited */ }
      }, 10_000);
      await stop();
      clearTimeout(timer);
    },
  };
}
