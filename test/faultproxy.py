#!/usr/bin/python3
# faultproxy.py - fault-injecting loopback TCP proxy for the S3 tests
# SPDX-License-Identifier: MIT
#
#   faultproxy.py --target 127.0.0.1:PORT [--kill-after BYTES] [--kills N]
#                 [--flip N [--flip-path TEXT]] [--down] [--log FILE] [--slow REGEX:SECONDS]
#
# Listens on 127.0.0.1 with a kernel-chosen port and prints "PORT\n" on
# stdout once it accepts connections. Forwards every connection to the
# target. The first N connections (default 1) that carry more than BYTES
# from the client (default: never; with --down: from the server) are cut at
# that point with a TCP reset on both sides: a connection killed mid-upload
# (or mid-download), which the client must retry. With --log, every
# request's method line and header NAMES are logged (values redacted: they
# may carry the session token), plus the SignedHeaders list of the
# Authorization header, and one "KILLED" line per cut. With --slow, the
# answer to every request whose request line matches REGEX (e.g.
# 'POST .*uploadId=' for CompleteMultipartUpload) is held back SECONDS
# before it is forwarded: a server slow to confirm after the last byte.
# With --flip N, the first N message bodies (requests with a body; with
# --down, responses to GET; with --flip-path, only those whose request line
# contains TEXT) get one byte inverted in the middle, and a "FLIPPED" line
# is logged: corruption on the wire that TCP's checksum would not catch, for
# Content-MD5 and the pull's sha256 to find. Runs until killed (SIGTERM).
# Python stdlib only.
import argparse
import re
import socket
import struct
import sys
import threading
import time

lock = threading.Lock()
state = {"kills": 0, "flips": 0}


def log(path, line):
    if not path:
        return
    with lock:
        with open(path, "a") as f:
            f.write(line + "\n")


def reset(sock):
    # linger 0 makes close() send a RST; SHUT_RD first wakes the other
    # thread's recv() on this socket (close alone would not)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class BodyFlipper:
    """Follows one direction's HTTP messages (Content-Length bodies) and
    inverts one byte in the middle of the first --flip bodies."""

    def __init__(self, args, responses, methods):
        self.args = args
        self.responses = responses  # parse responses (their bodies depend on the request)
        self.methods = methods      # request methods, oldest first (shared by both sides)
        self.head = b""
        self.left = 0               # body bytes still to pass
        self.flip_at = -1           # offset in the body still to flip, or -1
        self.what = ""

    def feed(self, data):
        out = bytearray()
        data = bytearray(data)
        while data:
            if self.left:
                n = min(self.left, len(data))
                chunk = data[:n]
                if 0 <= self.flip_at < n:
                    chunk[self.flip_at] ^= 0xFF
                    log(self.args.log, "FLIPPED one byte of the body of %s" % self.what)
                    self.flip_at = -1
                elif self.flip_at >= n:
                    self.flip_at -= n
                out += chunk
                self.left -= n
                data = data[n:]
                continue
            self.head += data
            data = bytearray()
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                if len(self.head) > 65536:
                    out += self.head
                    self.head = b""
                break
            head, rest = bytes(self.head[:end + 4]), bytearray(self.head[end + 4:])
            self.head = b""
            out += head
            data = rest
            lines = head.decode("latin-1").split("\r\n")
            length = 0
            for h in lines[1:]:
                name, _, value = h.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            has_body = length > 0
            if self.responses:
                status = lines[0].split(" ")
                code = int(status[1]) if len(status) > 1 and status[1].isdigit() else 0
                if 100 <= code < 200:
                    continue  # 100 Continue: the real answer follows
                method, line = self.methods.pop(0) if self.methods else ("GET", "")
                has_body = has_body and method != "HEAD"
                want = method == "GET" and code in (200, 206)
            else:
                method, line = lines[0].split(" ")[0], lines[0]
                self.methods.append((method, line))
                want = True
            if self.args.flip_path and self.args.flip_path not in line:
                want = False
            self.left = length if has_body else 0
            self.what = line + (" (answer)" if self.responses else "")
            if has_body and want:
                with lock:
                    flip = state["flips"] < self.args.flip
                    if flip:
                        state["flips"] += 1
                if flip:
                    self.flip_at = length // 2
        return bytes(out)


class HeaderLogger:
    """Follows the client->server byte stream and logs each request head;
    counts the requests whose answer --slow holds back."""

    def __init__(self, path, slow=None):
        self.path = path
        self.slow = slow
        self.held = 0
        self.buf = b""
        self.skip = 0

    def feed(self, data):
        if not self.path and not self.slow:
            return
        while data:
            if self.skip:
                n = min(self.skip, len(data))
                self.skip -= n
                data = data[n:]
                continue
            self.buf += data
            data = b""
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 65536:
                    self.buf = b""
                return
            head, rest = self.buf[:end].decode("latin-1"), self.buf[end + 4:]
            self.buf = b""
            lines = head.split("\r\n")
            if self.slow and re.search(self.slow[0], lines[0]):
                with lock:
                    self.held += 1
            out = ["REQUEST " + lines[0]]
            length = 0
            for h in lines[1:]:
                name, _, value = h.partition(":")
                value = value.strip()
                if name.lower() == "content-length":
                    length = int(value)
                if name.lower() == "authorization":
                    signed = [p for p in value.replace(",", " ").split() if p.startswith("SignedHeaders=")]
                    out.append("  %s: %s" % (name, signed[0] if signed else "(no SignedHeaders)"))
                else:
                    out.append("  " + name)
            log(self.path, "\n".join(out))
            self.skip = length
            data = rest


def pump(src, dst, counter, limit, args, logger, answers=None, flipper=None):
    try:
        while True:
            data = src.recv(262144)
            if not data:
                break
            if answers is not None and answers.held:
                with lock:
                    answers.held -= 1
                log(args.log, "HELD an answer for %g s" % answers.slow[1])
                time.sleep(answers.slow[1])
            if logger:
                logger.feed(data)
            if flipper:
                data = flipper.feed(data)
            if counter is not None:
                counter[0] += len(data)
                if limit and counter[0] > limit:
                    with lock:
                        kill = state["kills"] < args.kills
                        if kill:
                            state["kills"] += 1
                    if kill:
                        log(args.log, "KILLED connection after %d bytes" % counter[0])
                        reset(src)
                        reset(dst)
                        return
                    counter[0] = -(1 << 62)  # this connection is spared
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def handle(client, args):
    host, port = args.target.rsplit(":", 1)
    try:
        upstream = socket.create_connection((host, int(port)))
    except OSError:
        reset(client)
        return
    counter = [0]
    logger = HeaderLogger(args.log, args.slow)
    up, down = (None, counter) if args.down else (counter, None)
    methods = []
    flip_up = BodyFlipper(args, False, methods) if args.flip else None
    flip_down = BodyFlipper(args, True, methods) if args.flip else None
    if args.flip and args.down:
        flip_up.args = argparse.Namespace(**dict(vars(args), flip=0))  # only track methods
    elif args.flip:
        flip_down = None
    t = threading.Thread(target=pump, args=(upstream, client, down, args.kill_after, args, None,
                                            logger if args.slow else None, flip_down),
                         daemon=True)
    t.start()
    pump(client, upstream, up, args.kill_after, args, logger, flipper=flip_up)
    t.join()
    for s in (client, upstream):
        try:
            s.close()
        except OSError:
            pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", required=True)
    p.add_argument("--kill-after", type=int, default=0)
    p.add_argument("--kills", type=int, default=1)
    p.add_argument("--down", action="store_true")
    p.add_argument("--flip", type=int, default=0)
    p.add_argument("--flip-path", default="")
    p.add_argument("--log")
    p.add_argument("--slow", help="REGEX:SECONDS")
    args = p.parse_args()
    if args.slow:
        regex, _, secs = args.slow.rpartition(":")
        args.slow = (regex, float(secs))
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    sys.stdout.write("%d\n" % srv.getsockname()[1])
    sys.stdout.flush()
    while True:
        c, _ = srv.accept()
        threading.Thread(target=handle, args=(c, args), daemon=True).start()


if __name__ == "__main__":
    main()
