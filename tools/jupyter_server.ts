/**
 * Jupyter for the notebooks: a classic Jupyter Notebook server with the Deno kernel, always
 * behind a token, on loopback unless told otherwise.
 *
 * @module
 */

import { resolve } from "node:path";
import { CamwatchError } from "../lib/errors.ts";
import { stopProcess } from "../lib/media/process.ts";

/** Jupyter is missing, failed to start, or a notebook failed. */
export class JupyterError extends CamwatchError {}

/** How to install what is missing, said once. */
const INSTALL_HINT = "install it: bash scripts/quickstart.sh notebooks " +
  "(apt install jupyter-notebook jupyter-nbconvert, then deno jupyter --install)";

/**
 * Runs a Jupyter (or Deno) command to its end, turning "not installed" into a
 * {@linkcode JupyterError} that says how to install it.
 *
 * @example
 * ```ts
 * import { jupyterCommand } from "./jupyter_server.ts";
 * const out = await jupyterCommand("jupyter", ["--version"]);
 * console.log(out.success);
 * ```
 */
export async function jupyterCommand(
  cmd: string,
  args: string[],
  env?: Record<string, string>,
): Promise<Deno.CommandOutput> {
  try {
    return await new Deno.Command(cmd, { args, env, stdin: "null", stdout: "piped", stderr: "piped" })
      .output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new JupyterError(`${cmd} is not installed: ${INSTALL_HINT}`);
    throw e;
  }
}

/**
 * Makes sure Jupyter and its Deno kernel are there: registers the kernel (`deno jupyter
 * --install`) when Jupyter does not list it yet. Throws {@linkcode JupyterError} saying what to
 * install otherwise.
 *
 * @example
 * ```ts
 * import { ensureDenoKernel } from "./jupyter_server.ts";
 * await ensureDenoKernel();
 * ```
 */
export async function ensureDenoKernel(): Promise<void> {
  const list = async () => {
    const out = await jupyterCommand("jupyter", ["kernelspec", "list", "--json"]);
    if (!out.success) throw new JupyterError(`jupyter kernelspec list failed: ${INSTALL_HINT}`);
    return Object.keys(JSON.parse(new TextDecoder().decode(out.stdout)).kernelspecs ?? {});
  };
  if ((await list()).includes("deno")) return;
  const install = await jupyterCommand(Deno.execPath(), ["jupyter", "--install"]);
  if (!install.success || !(await list()).includes("deno")) {
    throw new JupyterError(
      `could not register the Deno kernel: ${new TextDecoder().decode(install.stderr).trim()}`,
    );
  }
}

/** Options of {@linkcode JupyterServer.start}. */
export interface JupyterServerOptions {
  /** the folder the server shows (the notebooks) */
  readonly notebookDir: string;
  /**
   * The token a browser must present. Never empty: a server without one is refused.
   * @default a random 48-hex-digit token, shown once in {@linkcode JupyterServer.url}
   */
  readonly token?: string;
  /**
   * Address to listen on; `0.0.0.0` only inside a container whose port is published with care.
   * @default "127.0.0.1"
   */
  readonly host?: string;
  /**
   * Port to listen on.
   * @default 8888
   */
  readonly port?: number;
  /**
   * Extra environment for the kernels (VIDEO_DIR, REDIS_URL, …).
   * @default {} (the kernels inherit this process's environment)
   */
  readonly env?: Record<string, string>;
  /**
   * How long to wait for the server to answer, in ms.
   * @default 60000
   */
  readonly startTimeoutMs?: number;
}

/**
 * A running Jupyter Notebook server with the Deno kernel. Stop it with `stop()` (or `await
 * using`): the server and its kernels end.
 *
 * @example
 * ```ts
 * import { JupyterServer } from "./jupyter_server.ts";
 * await using jupyter = await JupyterServer.start({ notebookDir: "notebooks" });
 * console.log(`open ${jupyter.url}`);
 * await jupyter.exited;
 * ```
 */
export class JupyterServer {
  /** the address with the token, for the person who started it */
  readonly url: string;
  /** the address with the token masked, for logs */
  readonly displayUrl: string;
  /** the server's process id */
  readonly pid: number;
  readonly #child: Deno.ChildProcess;

  private constructor(child: Deno.ChildProcess, url: string, displayUrl: string) {
    this.#child = child;
    this.pid = child.pid;
    this.url = url;
    this.displayUrl = displayUrl;
  }

  /** Starts the server and waits until it answers with the token (and refuses without it). */
  static async start(options: JupyterServerOptions): Promise<JupyterServer> {
    const token = options.token ??
      Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => b.toString(16).padStart(2, "0")).join("");
    if (!token.trim()) {
      throw new JupyterError("a Jupyter token must not be empty: the notebooks can run any code");
    }
    const host = options.host ?? "127.0.0.1";
    const port = options.port ?? 8888;
    await ensureDenoKernel();
    const child = new Deno.Command("jupyter", {
      args: [
        "notebook",
        "--no-browser",
        `--ip=${host}`,
        `--port=${port}`,
        "--port-retries=0",
        `--notebook-dir=${resolve(options.notebookDir)}`,
        // Jupyter refuses root unless told; containers and CI machines often are root.
        ...(Deno.uid() === 0 ? ["--allow-root"] : []),
      ],
      // The token goes through the environment, not argv, which `ps` shows to every user.
      env: { ...options.env, JUPYTER_TOKEN: token },
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    const shownHost = host === "0.0.0.0" ? "127.0.0.1" : host;
    const base = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}`;
    const server = new JupyterServer(child, `${base}/?token=${token}`, `${base}/?token=***`);
    try {
      await server.#waitReady(base, token, options.startTimeoutMs ?? 60_000);
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  /** Resolves when the server has exited. */
  get exited(): Promise<Deno.CommandStatus> {
    return this.#child.status;
  }

  /** Stops the server (SIGTERM, which Jupyter takes as "shut down now"), and its kernels. */
  async stop(): Promise<void> {
    await stopProcess(this.#child);
  }

  /** Stops the server, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #waitReady(base: string, token: string, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let exited = false;
    this.#child.status.then(() => exited = true);
    for (;;) {
      if (exited) {
        throw new JupyterError(`jupyter notebook exited before serving ${base} (its messages are above)`);
      }
      try {
        const res = await fetch(`${base}/api/status`, { headers: { authorization: `token ${token}` } });
        await res.body?.cancel();
        if (res.ok) return;
      } catch { /* not listening yet */ }
      if (performance.now() > deadline) {
        throw new JupyterError(`jupyter notebook did not answer at ${base} within ${timeoutMs / 1000} s`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
