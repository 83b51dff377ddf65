/**
 * The base images the Dockerfile and compose.yaml name, made locally when no registry can be
 * reached: Debian from Debian's own packages (`mmdebstrap`, then `docker import`), Deno as the
 * running deno binary in an empty image, Redis as Debian's redis-server on that Debian. Each is
 * tagged with the official name, so that the unchanged Dockerfile and compose.yaml build and run.
 *
 * @module
 */

import { type DockerEngine, DockerError, fileExists, runCommand } from "./docker_engine.ts";

/** The images to provide. */
export interface BaseImageNames {
  /** Debian, for the camwatch images (`BASE_IMAGE`) */
  readonly base: string;
  /** the deno binary at /deno (`DENO_IMAGE`) */
  readonly deno: string;
  /** Redis, for compose (`REDIS_IMAGE`) */
  readonly redis: string;
}

/** The defaults, as the Dockerfile and compose.yaml write them. */
export const DEFAULT_BASE_IMAGES: BaseImageNames = {
  base: "debian:bookworm-slim",
  deno: "denoland/deno:bin-2.9.6",
  redis: "redis:7-bookworm",
};

/** Options of {@linkcode ensureBaseImages}. */
export interface EnsureBaseImagesOptions {
  /**
   * Debian's apt sources for mmdebstrap (the machine's own mirror settings).
   * @default "/etc/apt/sources.list.d/debian.sources" if present, else "/etc/apt/sources.list"
   */
  readonly aptSources?: string;
  /**
   * Time allowed to pull an image before making it locally.
   * @default 60000
   */
  readonly pullTimeoutMs?: number;
  /**
   * Called with a line of progress.
   * @default nothing
   */
  readonly onLog?: (message: string) => void;
}

/**
 * Makes sure the three base images are in the engine: present, pulled, or made locally.
 * Returns the names of the images it made or pulled (so that a check can remove them again).
 *
 * @example
 * ```ts
 * import { DockerEngine } from "./docker_engine.ts";
 * import { DEFAULT_BASE_IMAGES, ensureBaseImages } from "./base_images.ts";
 * await using engine = await DockerEngine.connect();
 * const added = await ensureBaseImages(engine, DEFAULT_BASE_IMAGES, { onLog: console.log });
 * console.log(added);
 * ```
 */
export async function ensureBaseImages(
  engine: DockerEngine,
  names: BaseImageNames,
  options: EnsureBaseImagesOptions = {},
): Promise<string[]> {
  const log = options.onLog ?? (() => {});
  const added: string[] = [];
  const pulled = async (name: string) => {
    if (await engine.hasImage(name)) return true;
    const pull = await engine.docker(["pull", "-q", name], {
      check: false,
      timeoutMs: options.pullTimeoutMs ?? 60_000,
    });
    if (pull.success) {
      log(`pulled ${name}`);
      added.push(name);
      return true;
    }
    log(`cannot pull ${name} (${pull.stderr.trim().split("\n").at(-1) ?? "no answer"}): making it locally`);
    return false;
  };
  const work = await Deno.makeTempDir({ prefix: "camwatch-images-" });
  try {
    if (!(await pulled(names.base))) {
      const sources = options.aptSources ??
        (await fileExists("/etc/apt/sources.list.d/debian.sources")
          ? "/etc/apt/sources.list.d/debian.sources"
          : "/etc/apt/sources.list");
      const started = Date.now();
      await runCommand("mmdebstrap", [
        "--variant=minbase",
        "--quiet",
        "bookworm",
        `${work}/rootfs.tar`,
        sources,
      ], {
        timeoutMs: 900_000,
      }).catch((e) => {
        throw new DockerError(
          `cannot make ${names.base} (mmdebstrap; apt-get install mmdebstrap): ${e.message}`,
        );
      });
      await engine.docker(["import", `${work}/rootfs.tar`, names.base]);
      await Deno.remove(`${work}/rootfs.tar`);
      log(`made ${names.base} with mmdebstrap in ${Math.round((Date.now() - started) / 1000)} s`);
      added.push(names.base);
    }
    if (!(await pulled(names.deno))) {
      await Deno.mkdir(`${work}/deno`);
      await Deno.copyFile(Deno.execPath(), `${work}/deno/deno`);
      await Deno.writeTextFile(`${work}/deno/Dockerfile`, "FROM scratch\nCOPY deno /deno\n");
      await engine.docker(["build", "-q", "-t", names.deno, `${work}/deno`]);
      log(`made ${names.deno} from this deno (${Deno.version.deno})`);
      added.push(names.deno);
    }
    if (!(await pulled(names.redis))) {
      await Deno.mkdir(`${work}/redis`);
      await Deno.writeTextFile(
        `${work}/redis/Dockerfile`,
        `FROM ${names.base}\n` +
          "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends " +
          "redis-server && rm -rf /var/lib/apt/lists/*\n" +
          'CMD ["redis-server"]\n',
      );
      await engine.docker(["build", "-q", "--network", "host", "-t", names.redis, `${work}/redis`]);
      log(`made ${names.redis} from Debian's redis-server`);
      added.push(names.redis);
    }
    return added;
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}
