#!/usr/bin/python3
"""RTSP camera emulator on GStreamer's RTSP server (Debian: python3-gi, gir1.2-gst-rtsp-server-1.0,
gstreamer1.0-plugins-{base,good,bad}). Started by lib/camera_emulator.ts; not meant to be run by hand.

It loops an H.264 Annex-B file whose access units are delimited by AUD NAL units (the TypeScript
side prepares it with ffmpeg), re-stamping every access unit n with pts = n / fps so that time
keeps rising across loops, as a real camera's does. Each client gets its own live pipeline, over
TCP or UDP (or only one of them: --transports udp makes the server answer "461 Unsupported
transport" to a client asking for TCP, as VLC's RTSP server does), with optional basic authentication. Prints one line "READY <port>" when it
listens, and stops cleanly on SIGTERM or SIGINT.

With --live SOURCE it serves a live GStreamer source instead (a webcam: "v4l2src
device=/dev/video0"), encoded to H.264 on the fly without B-frames.

usage: camera_emulator.py (--file F.h264 --fps N | --live SOURCE) --port P --path /name [--user U]
       [--transports tcp,udp]
       (the password is read from the CAMWATCH_CAMERA_PASSWORD environment variable when set,
        so that it never appears in a process list)
"""
import argparse
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

LOWER_TRANSPORTS = {"tcp": GstRtsp.RTSPLowerTrans.TCP, "udp": GstRtsp.RTSPLowerTrans.UDP}


def access_units(data):
    """Splits an AUD-delimited Annex-B stream into access units (bytes, each with its AUD)."""
    starts = []
    i = 0
    n = len(data)
    while True:
        j = data.find(b"\x00\x00\x01", i)
        if j < 0 or j + 3 >= n:
            break
        if data[j + 3] & 0x1F == 9:  # access unit delimiter
            starts.append(j - 1 if j > 0 and data[j - 1] == 0 else j)
        i = j + 3
    if not starts:
        raise SystemExit("camera_emulator: no access unit delimiters in the input")
    starts.append(n)
    return [data[a:b] for a, b in zip(starts, starts[1:]) if b > a]


class Feeder:
    """Feeds one client's pipeline: access units in a loop, the n-th stamped n / fps."""

    def __init__(self, units, fps):
        self.units = units
        self.fps = fps
        self.count = 0

    def pts(self, n):
        return int(round(n * Gst.SECOND / self.fps))

    def need_data(self, src, _length):
        unit = self.units[self.count % len(self.units)]
        buf = Gst.Buffer.new_wrapped(unit)
        buf.pts = buf.dts = self.pts(self.count)
        buf.duration = self.pts(self.count + 1) - buf.pts
        self.count += 1
        src.emit("push-buffer", buf)


def feed_each_client(units, fps):
    """A media-configure handler giving every new pipeline its own Feeder, from the start."""

    def configure(_factory, media):
        feeder = Feeder(units, fps)
        media.get_element().get_child_by_name("src").connect("need-data", feeder.need_data)

    return configure


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--file")
    parser.add_argument("--fps", type=float, default=10)
    parser.add_argument("--live")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--path", default="/stream")
    parser.add_argument("--user", default="")
    parser.add_argument("--transports", default="")
    args = parser.parse_args()
    password = os.environ.get("CAMWATCH_CAMERA_PASSWORD", "")

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    if args.live:
        factory.set_launch(
            f"( {args.live} ! videoconvert ! video/x-raw,format=I420 "
            f"! x264enc tune=zerolatency speed-preset=veryfast bframes=0 key-int-max={int(2 * args.fps)} "
            "! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
        )
    else:
        with open(args.file, "rb") as f:
            units = access_units(f.read())
        factory.set_launch(
            "( appsrc name=src is-live=true format=time do-timestamp=false "
            "caps=video/x-h264,stream-format=byte-stream,alignment=au "
            "! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
        )
        factory.connect("media-configure", feed_each_client(units, args.fps))
    # One pipeline per client: a client that stops reading (a hung viewer) then blocks only its
    # own stream, as with a real camera, instead of the one shared by everybody.
    factory.set_shared(False)
    if args.transports:
        allowed = GstRtsp.RTSPLowerTrans(0)
        for name in args.transports.split(","):
            if name not in LOWER_TRANSPORTS:
                raise SystemExit(f"camera_emulator: --transports takes tcp and/or udp, got {name!r}")
            allowed |= LOWER_TRANSPORTS[name]
        # GStreamer answers a SETUP asking for any other transport with 461 Unsupported transport.
        factory.set_protocols(allowed)

    if args.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", args.user)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, password), token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role(args.user, "media.factory.access", True)
        permissions.add_permission_for_role(args.user, "media.factory.construct", True)
        factory.set_permissions(permissions)

    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        raise SystemExit(f"camera_emulator: cannot listen on {args.address}:{args.port}")

    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"READY {server.get_bound_port()}", flush=True)
    loop.run()


if __name__ == "__main__":
    sys.exit(main())
