"""Runs a notebook with the Deno kernel and writes the executed copy.

Used by lib/notebook_run.ts. Deno's kernel can report a cell idle before the cell's last
display messages have gone out, and nbclient stops listening at "idle", so outputs went
missing. Each code cell therefore ends, while it runs, with a marker message sent the same way
as displays; the cell counts as finished once both the marker and "idle" have arrived (or it
raised). The marker is never written to the notebook.

usage: notebook_runner.py INPUT OUTPUT KERNEL CELL_TIMEOUT_S
"""

import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError
from nbclient.util import ensure_async

MARKER = "camwatch-cell-end"
MARKER_CODE = (
    "\n;await Deno.jupyter.broadcast(\"display_data\", "
    f"{{ data: {{}}, metadata: {{}}, transient: {{ display_id: \"{MARKER}\" }} }});"
)
# After "idle", how long to wait for the marker before giving up on late outputs (seconds).
MARKER_TIMEOUT = 30


class MarkedClient(NotebookClient):
    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        idle = False
        ended = False
        while not (idle and ended):
            msg = await ensure_async(
                self.kc.iopub_channel.get_msg(timeout=MARKER_TIMEOUT if idle else None)
            )
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            content = msg["content"]
            if msg["msg_type"] == "display_data" and content.get("transient", {}).get("display_id") == MARKER:
                ended = True
                continue
            if msg["msg_type"] == "error":
                ended = True  # the cell threw: no marker will come
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                idle = True


def main():
    source, target, kernel, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    nb = nbformat.read(source, as_version=4)
    originals = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.strip():
            originals[i] = cell.source
            cell.source = cell.source + MARKER_CODE
    client = MarkedClient(
        nb,
        kernel_name=kernel,
        timeout=timeout,
        resources={"metadata": {"path": sys.argv[5] if len(sys.argv) > 5 else "."}},
    )
    failed = None
    try:
        client.execute()
    except CellExecutionError as e:
        failed = e
    finally:
        for i, text in originals.items():
            nb.cells[i].source = text
        nbformat.write(nb, target)
    if failed is not None:
        print(str(failed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
