/**
 * A small real file system for disk-full faults: a tmpfs of a few megabytes mounted on a fresh
 * folder (root is needed, as in CI), unmounted when disposed. Writes past its size fail with
 * ENOSPC in this process and in ffmpeg alike, which a symlink to /dev/full cannot give a folder.
 */
import assert from "node:assert/strict";

/** A mounted tmpfs. */
export interface Tmpfs extends AsyncDisposable {
  /** the mount point */
  readonly path: string;
  /** bytes free, as `statfs` reports them */
  free(): Promise<number>;
  /** Fills it with an undeletable-by-capture file (not a clip) until `leaveBytes` are free. */
  fill(leaveBytes: number): Promise<string>;
}

async function run(cmd: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  assert.ok(out.success, `${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
}

/** Mounts a tmpfs of `megabytes` on a new temporary folder. */
export async function mountTmpfs(megabytes: number): Promise<Tmpfs> {
  const path = await Deno.makeTempDir({ prefix: "camwatch-tmpfs-" });
  await run("mount", "-t", "tmpfs", "-o", `size=${megabytes}m`, "tmpfs", path).catch((e) => {
    throw new Error(`the disk-full tests mount a tmpfs and need root: ${e.message}`);
  });
  const free = async () => {
    const { statfs } = await import("node:fs/promises");
    const s = await statfs(path);
    return Number(s.bavail) * Number(s.bsize);
  };
  return {
    path,
    free,
    async fill(leaveBytes) {
      const filler = `${path}/filler.bin`;
      const size = Math.max(0, (await free()) - leaveBytes);
      const file = await Deno.open(filler, { create: true, append: true });
      try {
        // tmpfs allocates on write: zeros written, not a sparse truncate.
        const chunk = new Uint8Array(64 * 1024);
        for (let left = size; left > 0; left -= chunk.length) {
          await file.write(left >= chunk.length ? chunk : chunk.subarray(0, left));
        }
      } finally {
        file.close();
      }
      return filler;
    },
    async [Symbol.asyncDispose]() {
      await run("umount", "-l", path);
      await Deno.remove(path, { recursive: true });
    },
  };
}
