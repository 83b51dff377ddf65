/**
 * A Docker engine to build and run the containers with: the one already running (DOCKER_HOST
 * or the default socket), or a private `dockerd` started for the job and removed with
 * everything it made. The private engine leaves the host's network alone: no default bridge, no
 * iptables rules, no IP forwarding or masquerading (Compose's own networks and their DNS still
 * work), and its data, runtime files and socket live in a temporary folder.
 *
 * @module
 */

/** A command that failed, with what it printed. */
export class DockerError extends Error {
  override name = "DockerError";
}

/** What a finished command printed. */
export interface CommandResult {
  /** whether it exited 0 */
  readonly success: boolean;
  /** its exit code */
  readonly code: number;
  /** standard output */
  readonly stdout: string;
  /** standard error */
  readonly stderr: string;
}

/** Options of {@linkcode runCommand}. */
export interface RunOptions {
  /** extra environment variables */
  readonly env?: Record<string, string>;
  /**
   * Kill the command after this long.
   * @default 600000 (10 minutes)
   */
  readonly timeoutMs?: number;
  /**
   * Working folder.
   * @default the current one
   */
  readonly cwd?: string;
  /**
   * Throw a {@linkcode DockerError} when the command fails.
   * @default true
   */
  readonly check?: boolean;
  /**
   * Let the command print to this process's stdout and stderr instead of capturing them.
   * @default false
   */
  readonly inherit?: boolean;
}

/**
 * Runs a command to the end, with a time limit; throws a {@linkcode DockerError} quoting its
 * last error lines when it fails (unless `check: false`).
 *
 * @example
 * ```ts
 * import { runCommand } from "./docker_engine.ts";
 * const { stdout } = await runCommand("docker", ["version", "--format", "{{.Server.Version}}"]);
 * console.log(stdout.trim());
 * ```
 */
export async function runCommand(
  cmd: string,
  args: string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  const { env, timeoutMs = 600_000, cwd, check = true, inherit = false } = options;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, {
      args,
      env,
      cwd,
      stdin: "null",
      stdout: inherit ? "inherit" : "piped",
      stderr: inherit ? "inherit" : "piped",
    }).spawn();
  } catch (cause) {
    throw new DockerError(`cannot run ${cmd}: ${(cause as Error).message}`, { cause });
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  try {
    const out = await child.output().catch(async () => ({
      ...(await child.status),
      stdout: null,
      stderr: null,
    }));
    const decode = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : "");
    const result = {
      success: out.success,
      code: out.code,
      stdout: decode(out.stdout),
      stderr: decode(out.stderr),
    };
    if (check && !result.success) {
      const tail = (result.stderr || result.stdout).trim().split("\n").slice(-12).join("\n");
      throw new DockerError(
        `${cmd} ${args.join(" ")} failed (exit ${result.code})${tail ? `:\n${tail}` : ""}`,
      );
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** Options of {@linkcode DockerEngine.connect}. */
export interface DockerEngineOptions {
  /**
   * The docker client to use. Debian's `/usr/bin/docker` when it exists: a newer client
   * installed earlier on PATH may lack the builder plugins the classic builder needs.
   * @default "/usr/bin/docker" if present, else "docker"
   */
  readonly client?: string;
  /**
   * Called with a line of progress.
   * @default nothing
   */
  readonly onLog?: (message: string) => void;
  /**
   * Always start a private engine, even when one is running.
   * @default false
   */
  readonly private?: boolean;
}

/**
 * A connection to a Docker engine, private or not.
 *
 * @example
 * ```ts
 * import { DockerEngine } from "./docker_engine.ts";
 * await using engine = await DockerEngine.connect({ onLog: console.log });
 * console.log(engine.isPrivate, (await engine.docker(["info", "--format", "{{.ServerVersion}}"])).stdout);
 * ```
 */
export class DockerEngine {
  /** the docker client */
  readonly client: string;
  /** `DOCKER_HOST` for every client command (the private engine's socket, or the host's) */
  readonly host: string | undefined;
  /** whether this engine was started here (and is removed by close) */
  readonly isPrivate: boolean;
  readonly #daemon: Deno.ChildProcess | undefined;
  readonly #root: string | undefined;

  private constructor(client: string, host: string | undefined, daemon?: Deno.ChildProcess, root?: string) {
    this.client = client;
    this.host = host;
    this.isPrivate = daemon !== undefined;
    this.#daemon = daemon;
    this.#root = root;
  }

  /**
   * The running engine, or a private one. Throws {@linkcode DockerError} when there is no
   * engine and `dockerd` cannot be started (not installed, not root), saying what to install.
   */
  static async connect(options: DockerEngineOptions = {}): Promise<DockerEngine> {
    const log = options.onLog ?? (() => {});
    const client = options.client ?? (await fileExists("/usr/bin/docker") ? "/usr/bin/docker" : "docker");
    if (!options.private) {
      const host = Deno.env.get("DOCKER_HOST");
      const running = await runCommand(client, ["info", "--format", "{{.ServerVersion}}"], {
        env: host ? { DOCKER_HOST: host } : {},
        timeoutMs: 20_000,
        check: false,
      }).catch(() => undefined);
      if (running?.success) {
        log(`using the running Docker engine ${running.stdout.trim()}${host ? ` at ${host}` : ""}`);
        return new DockerEngine(client, host);
      }
    }
    const root = await Deno.makeTempDir({ prefix: "camwatch-dockerd-" });
    const socket = `${root}/docker.sock`;
    log(`starting a private Docker engine in ${root} (no bridge, no iptables, no forwarding)`);
    let daemon: Deno.ChildProcess;
    try {
      daemon = new Deno.Command("dockerd", {
        args: [
          "--data-root",
          `${root}/data`,
          "--exec-root",
          `${root}/exec`,
          "--pidfile",
          `${root}/dockerd.pid`,
          "-H",
          `unix://${socket}`,
          "--bridge=none",
          "--iptables=false",
          "--ip-forward=false",
          "--ip-masq=false",
        ],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
    } catch (cause) {
      await Deno.remove(root, { recursive: true }).catch(() => {});
      throw new DockerError(
        "no Docker engine is running and dockerd cannot be started " +
          `(${(cause as Error).message}): install Debian's docker.io (apt-get install docker.io)`,
        { cause },
      );
    }
    const stderr = collect(daemon.stderr);
    const engine = new DockerEngine(client, `unix://${socket}`, daemon, root);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const info = await engine.docker(["info", "--format", "{{.ServerVersion}}"], {
        check: false,
        timeoutMs: 5000,
      })
        .catch(() => undefined);
      if (info?.success) {
        log(`private Docker engine ${info.stdout.trim()} ready`);
        return engine;
      }
      const exited = await Promise.race([daemon.status, new Promise((r) => setTimeout(r, 500, undefined))]);
      if (exited !== undefined || Date.now() > deadline) {
        await engine.close();
        throw new DockerError(
          `dockerd did not start:\n${(await stderr()).trim().split("\n").slice(-8).join("\n")}`,
        );
      }
    }
  }

  /** The environment client commands need (DOCKER_HOST, the classic builder). */
  get env(): Record<string, string> {
    // The classic builder: Debian's client has no buildx plugin, and it behaves the same everywhere.
    return {
      ...(this.host ? { DOCKER_HOST: this.host } : {}),
      DOCKER_BUILDKIT: "0",
      COMPOSE_DOCKER_CLI_BUILD: "0",
    };
  }

  /** Runs the docker client against this engine. */
  docker(args: string[], options: RunOptions = {}): Promise<CommandResult> {
    return runCommand(this.client, args, { ...options, env: { ...this.env, ...options.env } });
  }

  /** Whether an image is present in this engine. */
  async hasImage(name: string): Promise<boolean> {
    return (await this.docker(["image", "inspect", name], { check: false, timeoutMs: 30_000 })).success;
  }

  /** Stops a private engine and deletes everything it held; leaves a shared engine alone. */
  async close(): Promise<void> {
    if (!this.#daemon) return;
    try {
      this.#daemon.kill("SIGTERM");
    } catch { /* already gone */ }
    const stopped = await Promise.race([
      this.#daemon.status.then(() => true),
      new Promise<boolean>((r) => setTimeout(r, 30_000, false)),
    ]);
    if (!stopped) {
      try {
        this.#daemon.kill("SIGKILL");
      } catch { /* already gone */ }
      await this.#daemon.status;
    }
    // Overlay mounts left by a killed engine would make the folder undeletable.
    await runCommand("sh", ["-c", `grep -o " ${this.#root}[^ ]*" /proc/mounts | xargs -r -n1 umount -l`], {
      check: false,
    }).catch(() => {});
    await Deno.remove(this.#root!, { recursive: true }).catch(() => {});
  }

  /** Same as {@linkcode DockerEngine.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Whether a path exists.
 *
 * @example
 * ```ts
 * import { fileExists } from "./docker_engine.ts";
 * console.log(await fileExists("/usr/bin/docker"));
 * ```
 */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads a stream to its end in the background; the function returns what was read so far. */
function collect(stream: ReadableStream<Uint8Array>): () => Promise<string> {
  let text = "";
  const done = stream.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      write(chunk) {
        text = (text + chunk).slice(-20_000);
      },
    }),
  ).catch(() => {});
  return async () => {
    await Promise.race([done, new Promise((r) => setTimeout(r, 100))]);
    return text;
  };
}
