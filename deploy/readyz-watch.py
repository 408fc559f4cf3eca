#!/usr/bin/env python3
"""Take failing application servers out of nginx and put them back: ask each server's /readyz every second and
keep nginx's upstream include listing a failing one as `down` (open-source nginx has no active health checks).
A server is taken out after --fall failed rounds in a row and put back after --rise good ones (2 each by default,
as HAProxy does): one slow answer from a busy server must not send all the load to the other one. A server that
dies meanwhile costs little: nginx itself tries the next server when a connection is refused.

    readyz-watch.py --upstream /etc/nginx/marketplace-upstream.conf --reload "nginx -s reload" \
        10.0.0.11:8000 10.0.0.12:8000

Standard library only, so it runs with the system python3 on the proxy host. When every server fails it keeps them
all listed (nginx then answers 502 itself rather than refusing to load its configuration).
"""
from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request


def ready(server: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(f"http://{server}/readyz", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Health:
    """Which servers are out, from each round's answers: out after `fall` failed rounds in a row, back after `rise`
    good ones in a row."""

    def __init__(self, servers: list[str], fall: int = 2, rise: int = 2) -> None:
        self.fall, self.rise = fall, rise
        self.failing: set[str] = set()
        self.streak = {server: 0 for server in servers}  # > 0: good rounds in a row, < 0: failed rounds in a row

    def round(self, answers: dict[str, bool]) -> set[str]:
        for server, good in answers.items():
            streak = self.streak[server]
            self.streak[server] = streak = max(1, streak + 1) if good else min(-1, streak - 1)
            if server in self.failing and streak >= self.rise:
                self.failing.discard(server)
            elif server not in self.failing and streak <= -self.fall:
                self.failing.add(server)
        return set(self.failing)


def render(servers: list[str], failing: set[str], options: str) -> str:
    if failing >= set(servers):
        failing = set()
    lines = [f"server {s} {options}{' down' if s in failing else ''};" for s in servers]
    return "# written by deploy/readyz-watch.py\n" + "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("servers", nargs="+", help="host:port of each application server")
    parser.add_argument("--upstream", required=True, help="the file nginx includes in its upstream block")
    parser.add_argument("--reload", required=True, help="command that makes nginx reread its configuration")
    parser.add_argument("--every", type=float, default=1.0, help="seconds between rounds")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds a /readyz answer may take")
    parser.add_argument("--options", default="max_fails=1 fail_timeout=5s")
    parser.add_argument("--fall", type=int, default=2, help="failed rounds in a row before a server is taken out")
    parser.add_argument("--rise", type=int, default=2, help="good rounds in a row before it is put back")
    parser.add_argument("--once", action="store_true", help="write the file once and exit")
    args = parser.parse_args()
    written = None
    health = Health(args.servers, *((1, 1) if args.once else (args.fall, args.rise)))
    while True:
        failing = health.round({server: ready(server, args.timeout) for server in args.servers})
        text = render(args.servers, failing, args.options)
        if text != written:
            with open(args.upstream + ".tmp", "w") as handle:
                handle.write(text)

            os.replace(args.upstream + ".tmp", args.upstream)
            if written is not None:
                subprocess.run(shlex.split(args.reload), check=False)
            print(time.strftime("%H:%M:%S"), "out:", sorted(failing) or "none", flush=True)
            written = text
        if args.once:
            return 0
        time.sleep(args.every)


if __name__ == "__main__":
    sys.exit(main())
