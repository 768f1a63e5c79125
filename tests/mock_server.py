#!/usr/bin/env python3
"""mock_server.py - a loopback stand-in for Yahoo's chart API and Stooq's
CSV download, for tests/fetch-prices.bats.  Standard library only.

    mock_server.py ROOT [--latency MS]

Binds 127.0.0.1 on an ephemeral port and writes the port to ROOT/port
(atomically) once it listens.  Serves, from files the test put in ROOT:

  /v8/finance/chart/SYM?period1=&period2=   ROOT/yahoo/SYM.json (the raw
      body; bars outside [period1, period2) are cut out, as Yahoo does),
      with the status in ROOT/yahoo/SYM.status if present (default 200).
      No file: 404 with Yahoo's "No data found" error object.
  /q/d/l/?s=sym&d1=&d2=                     ROOT/stooq/sym.csv, rows outside
      d1..d2 cut out.  No file: 200 "No data", as Stooq answers.

Faults: ROOT/faults/SYM (SYM as in the URL, e.g. AAPL or aapl.us) holds
one action per line, used one per request, in order; a line starting
with '*' is used for every request from then on.  Actions:
  ok                 serve normally
  status N [SECS]    answer status N with an empty JSON body; SECS gives a
                     Retry-After header
  hang SECS          sleep SECS before answering normally
  truncate           send only the first half of the body, with a
                     Content-Length of the whole (the connection closes)
  cut                send the first half of the body as if it were whole
  html               200 with an HTML error page

Every request is appended to ROOT/requests.log as "MONOTONIC_SECONDS PATH",
and its User-Agent to ROOT/agents.log.
"""
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = None
LATENCY = 0.0
LOCK = threading.Lock()
CURSOR = {}  # fault file -> next line


def next_action(key):
    path = os.path.join(ROOT, "faults", key)
    with LOCK:
        try:
            with open(path) as f:
                lines = [l.strip() for l in f if l.strip()]
        except OSError:
            return "ok"
        i = CURSOR.get(key, 0)
        while i < len(lines):
            line = lines[i]
            if line.startswith("*"):
                return line[1:].strip()
            CURSOR[key] = i + 1
            return line
        return "ok"


def cut_yahoo(body, p1, p2):
    try:
        doc = json.loads(body)
        res = doc["chart"]["result"][0]
        ts = res["timestamp"]
    except (ValueError, KeyError, TypeError, IndexError):
        return body
    keep = [i for i, t in enumerate(ts) if p1 <= t < p2]
    res["timestamp"] = [ts[i] for i in keep]
    ind = res.get("indicators", {})
    for q in ind.get("quote", []):
        for k in list(q):
            q[k] = [q[k][i] for i in keep]
    for a in ind.get("adjclose", []):
        a["adjclose"] = [a["adjclose"][i] for i in keep]
    for kind in ("dividends", "splits"):
        ev = res.get("events", {}).get(kind)
        if ev:
            res["events"][kind] = {k: v for k, v in ev.items()
                                   if p1 <= v.get("date", 0) < p2}
    return json.dumps(doc, separators=(",", ":")).encode()


def cut_stooq(body, d1, d2):
    lines = body.split(b"\n")
    out = [lines[0]]
    for line in lines[1:]:
        day = line[:10].decode(errors="replace").replace("-", "")
        if line.strip() and d1 <= day <= d2:
            out.append(line)
    return b"\n".join(out) + b"\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, ctype="application/json", headers=(),
             length=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        with LOCK:
            with open(os.path.join(ROOT, "requests.log"), "a") as log:
                log.write("%.6f %s\n" % (time.monotonic(), self.path))
            with open(os.path.join(ROOT, "agents.log"), "a") as log:
                log.write("%s\n" % self.headers.get("User-Agent", ""))
        if LATENCY:
            time.sleep(LATENCY)
        if url.path.startswith("/v8/finance/chart/"):
            key = urllib.parse.unquote(url.path[len("/v8/finance/chart/"):])
            body, status = self.yahoo(key, query)
        elif url.path == "/q/d/l/":
            key = query.get("s", [""])[0]
            body, status = self.stooq(key, query)
        else:
            self.send(404, b"not found", "text/plain")
            return
        action = next_action(key).split()
        verb = action[0] if action else "ok"
        if verb == "status":
            headers = [("Retry-After", action[2])] if len(action) > 2 else []
            self.send(int(action[1]), b"{}", headers=headers)
            return
        if verb == "hang":
            time.sleep(float(action[1]))
        elif verb == "truncate":
            self.send(status, body[: len(body) // 2], length=len(body))
            self.close_connection = True
            return
        elif verb == "cut":
            body = body[: len(body) // 2]
        elif verb == "html":
            self.send(200, b"<!DOCTYPE html><html><body>Will be right back"
                      b"</body></html>", "text/html")
            return
        self.send(status, body)

    def yahoo(self, key, query):
        path = os.path.join(ROOT, "yahoo", key + ".json")
        if not os.path.exists(path):
            return (b'{"chart":{"result":null,"error":{"code":"Not Found",'
                    b'"description":"No data found, symbol may be delisted"}}}',
                    404)
        with open(path, "rb") as f:
            body = f.read()
        status = 200
        spath = os.path.join(ROOT, "yahoo", key + ".status")
        if os.path.exists(spath):
            with open(spath) as f:
                status = int(f.read().strip())
        if "period1" in query and "period2" in query:
            body = cut_yahoo(body, int(query["period1"][0]),
                             int(query["period2"][0]))
        return body, status

    def stooq(self, key, query):
        path = os.path.join(ROOT, "stooq", key + ".csv")
        if not os.path.exists(path):
            return b"No data", 200
        with open(path, "rb") as f:
            body = f.read()
        if "d1" in query and "d2" in query:
            body = cut_stooq(body, query["d1"][0], query["d2"][0])
        return body, 200


def main():
    global ROOT, LATENCY
    ROOT = sys.argv[1]
    if len(sys.argv) > 3 and sys.argv[2] == "--latency":
        LATENCY = float(sys.argv[3]) / 1000.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = os.path.join(ROOT, ".port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, os.path.join(ROOT, "port"))
    server.serve_forever()


if __name__ == "__main__":
    main()
