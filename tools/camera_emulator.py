#!/usr/bin/python3
"""RTSP camera emulator on GStreamer's RTSP server (Debian: python3-gi, gir1.2-gst-rtsp-server-1.0,
gstreamer1.0-plugins-{base,good,bad}). Started by tools/camera_emulator.ts; not meant to be run by
hand.

It loops an H.264 or H.265 Annex-B file whose access units are delimited by AUD NAL units (the
TypeScript side prepares it with ffmpeg, in tools/emulator_streams.ts), re-stamping access unit n
of the loop so that time keeps rising across loops, as a real camera's does. Without --order the
frames are in display order and the n-th is stamped n / fps; with --order (the display index of
each access unit, in decode order) B-frames are sent with their real presentation and decode times,
pts != dts. An optional audio track (--audio: ADTS AAC or raw G.711 at 8000 Hz) is looped in step:
its loop starts with the video's, so both keep rising together. An optional second mount point
(--sub-file, --sub-path) serves the same scene at a smaller size, with the same audio and login.

Each client gets its own live pipeline, over TCP or UDP (or only one of them: --transports udp makes
the server answer "461 Unsupported transport" to a client asking for TCP, as VLC's RTSP server
does), with optional basic authentication. Prints one line "READY <port>" when it listens, and stops
cleanly on SIGTERM or SIGINT.

With --live SOURCE it serves a live GStreamer source instead (a webcam: "v4l2src
device=/dev/video0"), encoded to H.264 on the fly without B-frames.

usage: camera_emulator.py (--file F --fps N [--codec h264|h265] [--order O]
                           [--audio A --audio-codec aac|pcm_alaw|pcm_mulaw --audio-rate R]
                           [--sub-file S [--sub-order O] --sub-path /sub]
                           | --live SOURCE)
       --port P --path /name [--user U] [--transports tcp,udp]
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

# NAL unit type of an access unit delimiter, and how to read a NAL unit's type from its first byte.
AUD = {"h264": (9, lambda b: b & 0x1F), "h265": (35, lambda b: (b >> 1) & 0x3F)}

VIDEO_BRANCH = {
    "h264": "caps=video/x-h264,stream-format=byte-stream,alignment=au ! h264parse "
    "! rtph264pay name=pay0 pt=96 config-interval=-1",
    "h265": "caps=video/x-h265,stream-format=byte-stream,alignment=au ! h265parse "
    "! rtph265pay name=pay0 pt=96 config-interval=-1",
}

# mpeg4-generic (RFC 3640, AAC-hbr) is what most IP cameras send for AAC, and what ffmpeg's RTSP
# client reads; G.711 goes in its static payload types (8 for A-law, 0 for µ-law).
AUDIO_BRANCH = {
    "aac": "caps=audio/mpeg,mpegversion=4,stream-format=adts,rate={rate},channels=1 ! aacparse "
    "! rtpmp4gpay name=pay1 pt=97",
    "pcm_alaw": "caps=audio/x-alaw,rate={rate},channels=1 ! rtppcmapay name=pay1",
    "pcm_mulaw": "caps=audio/x-mulaw,rate={rate},channels=1 ! rtppcmupay name=pay1",
}

# G.711 is cut into 20 ms packets, a camera's usual packet time.
PCM_CHUNK_SECONDS = 0.02


def access_units(data, codec):
    """Splits an AUD-delimited Annex-B stream into access units (bytes, each with its AUD)."""
    aud, nal_type = AUD[codec]
    starts = []
    i = 0
    n = len(data)
    while True:
        j = data.find(b"\x00\x00\x01", i)
        if j < 0 or j + 3 >= n:
            break
        if nal_type(data[j + 3]) == aud:
            starts.append(j - 1 if j > 0 and data[j - 1] == 0 else j)
        i = j + 3
    if not starts:
        raise SystemExit(f"camera_emulator: no {codec} access unit delimiters in the input")
    starts.append(n)
    return [data[a:b] for a, b in zip(starts, starts[1:]) if b > a]


def adts_frames(data):
    """Splits an ADTS stream into its frames (1024 samples each)."""
    frames = []
    i = 0
    while i + 7 <= len(data):
        if data[i] != 0xFF or data[i + 1] & 0xF0 != 0xF0:
            raise SystemExit(f"camera_emulator: no ADTS sync word at byte {i} of the audio")
        length = ((data[i + 3] & 0x03) << 11) | (data[i + 4] << 3) | (data[i + 5] >> 5)
        if length < 7:
            raise SystemExit(f"camera_emulator: bad ADTS frame length at byte {i} of the audio")
        frames.append(data[i : i + length])
        i += length
    return frames


class VideoTrack:
    """A looped video: access unit j of loop k gets decode time (k * N + j) / fps and presentation
    time (k * N + order[j] + delay) / fps, where delay is the reordering a decoder must allow for
    (0 without B-frames, then pts = dts)."""

    def __init__(self, units, fps, order=None):
        if order is None:
            order = list(range(len(units)))
        if sorted(order) != list(range(len(units))):
            raise SystemExit(
                f"camera_emulator: the order file has {len(order)} entries that are not a "
                f"permutation of the {len(units)} access units"
            )
        self.units = units
        self.fps = fps
        self.order = order
        self.delay = max(j - p for j, p in enumerate(order))

    def frames(self):
        return len(self.units)

    def time(self, frames):
        return int(round(frames * Gst.SECOND / self.fps))

    def loop_start(self, k):
        return self.time(k * len(self.units))

    def buffer(self, n):
        k, j = divmod(n, len(self.units))
        base = k * len(self.units)
        buf = Gst.Buffer.new_wrapped(self.units[j])
        buf.dts = self.time(base + j)
        buf.pts = self.time(base + self.order[j] + self.delay)
        buf.duration = self.time(base + j + 1) - buf.dts
        return buf


class AudioTrack:
    """A looped audio track whose k-th loop starts with the video's k-th loop: it keeps the units
    that fit in one video loop, each stamped with its first sample's time from that start."""

    def __init__(self, units, rate, loop_start, loop_seconds):
        """units: (bytes, samples) in order; loop_start(k): start of the video's loop k in ns."""
        fit = int(loop_seconds * rate + 1e-6)
        self.units = []
        first = 0
        for data, samples in units:
            if first + samples > fit:
                break
            self.units.append((data, first, samples))
            first += samples
        if not self.units:
            raise SystemExit("camera_emulator: the audio is shorter than one packet")
        self.rate = rate
        self.loop_start = loop_start

    def buffer(self, n):
        k, j = divmod(n, len(self.units))
        data, first, samples = self.units[j]
        start = self.loop_start(k)
        buf = Gst.Buffer.new_wrapped(data)
        buf.pts = buf.dts = start + int(round(first * Gst.SECOND / self.rate))
        buf.duration = int(round(samples * Gst.SECOND / self.rate))
        return buf


def read_audio(path, codec, rate):
    """The audio file as (bytes, samples) units: ADTS frames, or 20 ms pieces of G.711."""
    with open(path, "rb") as f:
        data = f.read()
    if codec == "aac":
        return [(frame, 1024) for frame in adts_frames(data)]
    chunk = int(rate * PCM_CHUNK_SECONDS)  # one byte a sample
    return [(data[i : i + chunk], len(data[i : i + chunk])) for i in range(0, len(data), chunk)]


class Feeder:
    """Feeds one appsrc of one client's pipeline: the track's n-th buffer at its n-th need-data."""

    def __init__(self, track):
        self.track = track
        self.count = 0

    def need_data(self, src, _length):
        buf = self.track.buffer(self.count)
        self.count += 1
        src.emit("push-buffer", buf)


def feed_each_client(video, audio):
    """A media-configure handler giving every new pipeline its own Feeders, from the start."""

    def configure(_factory, media):
        element = media.get_element()
        element.get_child_by_name("vsrc").connect("need-data", Feeder(video).need_data)
        if audio is not None:
            element.get_child_by_name("asrc").connect("need-data", Feeder(audio).need_data)

    return configure


def read_order(path):
    with open(path) as f:
        return [int(word) for word in f.read().split()]


def file_factory(video, codec, audio, audio_codec, audio_rate):
    """A factory serving a looped video track (and its audio track) to each client."""
    launch = "( appsrc name=vsrc is-live=true format=time do-timestamp=false " + VIDEO_BRANCH[codec]
    if audio is not None:
        launch += " appsrc name=asrc is-live=true format=time do-timestamp=false " + AUDIO_BRANCH[
            audio_codec
        ].format(rate=audio_rate)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch + " )")
    factory.connect("media-configure", feed_each_client(video, audio))
    return factory


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--file")
    parser.add_argument("--codec", choices=sorted(AUD), default="h264")
    parser.add_argument("--order")
    parser.add_argument("--fps", type=float, default=10)
    parser.add_argument("--audio")
    parser.add_argument("--audio-codec", choices=sorted(AUDIO_BRANCH), default="aac")
    parser.add_argument("--audio-rate", type=int, default=8000)
    parser.add_argument("--sub-file")
    parser.add_argument("--sub-order")
    parser.add_argument("--sub-path", default="/sub")
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
    factories = {}
    if args.live:
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(
            f"( {args.live} ! videoconvert ! video/x-raw,format=I420 "
            f"! x264enc tune=zerolatency speed-preset=veryfast bframes=0 key-int-max={int(2 * args.fps)} "
            "! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
        )
        factories[args.path] = factory
    else:
        with open(args.file, "rb") as f:
            main_units = access_units(f.read(), args.codec)
        main_order = read_order(args.order) if args.order else None
        sub = None
        if args.sub_file:
            with open(args.sub_file, "rb") as f:
                sub_units = access_units(f.read(), args.codec)
            sub_order = read_order(args.sub_order) if args.sub_order else None
            # Both loops must last as long for the scenes to stay together; they are encoded from
            # one split, but a main stream copied from the file may have a frame more.
            if len(sub_units) != len(main_units):
                if main_order or sub_order:
                    raise SystemExit(
                        f"camera_emulator: main ({len(main_units)}) and sub ({len(sub_units)}) "
                        "streams differ in frames"
                    )
                n = min(len(main_units), len(sub_units))
                main_units, sub_units = main_units[:n], sub_units[:n]
            sub = VideoTrack(sub_units, args.fps, sub_order)
        video = VideoTrack(main_units, args.fps, main_order)
        audio = None
        if args.audio:
            units = read_audio(args.audio, args.audio_codec, args.audio_rate)
            audio = AudioTrack(units, args.audio_rate, video.loop_start, video.frames() / args.fps)
        factories[args.path] = file_factory(video, args.codec, audio, args.audio_codec, args.audio_rate)
        if sub is not None:
            factories[args.sub_path] = file_factory(sub, args.codec, audio, args.audio_codec, args.audio_rate)

    permissions = None
    if args.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", args.user)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, password), token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role(args.user, "media.factory.access", True)
        permissions.add_permission_for_role(args.user, "media.factory.construct", True)

    allowed = None
    if args.transports:
        allowed = GstRtsp.RTSPLowerTrans(0)
        for name in args.transports.split(","):
            if name not in LOWER_TRANSPORTS:
                raise SystemExit(f"camera_emulator: --transports takes tcp and/or udp, got {name!r}")
            allowed |= LOWER_TRANSPORTS[name]

    for path, factory in factories.items():
        # One pipeline per client: a client that stops reading (a hung viewer) then blocks only its
        # own stream, as with a real camera, instead of the one shared by everybody.
        factory.set_shared(False)
        if allowed is not None:
            # GStreamer answers a SETUP asking for any other transport with 461 Unsupported transport.
            factory.set_protocols(allowed)
        if permissions is not None:
            factory.set_permissions(permissions)
        server.get_mount_points().add_factory(path, factory)
    if server.attach(None) == 0:
        raise SystemExit(f"camera_emulator: cannot listen on {args.address}:{args.port}")

    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"READY {server.get_bound_port()}", flush=True)
    loop.run()


if __name__ == "__main__":
    sys.exit(main())
