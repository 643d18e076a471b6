#!/usr/bin/python3
# recorder.py - a tiny HTTP receiver for lp serve's STATUS_UPDATE and async
# callbacks in tests: appends each POST as one JSON line {"path","headers","body"}
# to FILE, answers STATUS (default 200), writes its kernel-chosen port to PORTFILE.
# SPDX-License-Identifier: MIT
#   recorder.py FILE PORTFILE [STATUS]
import http.server, json, os, sys

out, portfile = sys.argv[1], sys.argv[2]
status = int(sys.argv[3]) if len(sys.argv) > 3 else 200


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "a") as f:
            f.write(json.dumps({"path": self.path, "headers": dict(self.headers),
                                "body": body.decode()}) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
