"""The Flask app (web.create_app) behind waitress on 127.0.0.1, in its own process.

Each response carries what the request cost on the server: X-Bench-Statements and X-Bench-Commits (counted with
SQLAlchemy's before_cursor_execute / commit events on the app's engine, per waitress thread) and X-Bench-Ms (time
inside the WSGI app). Counting adds a few microseconds per statement.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from dataclasses import dataclass

SECRET = "bench-secret-key"  # a fixed key: sessions and CSRF tokens stay valid across server processes
THREADS = 4  # what `xieshang serve` uses


class Measure:
    def __init__(self, app, counter):
        self.app, self.counter = app, counter

    def __call__(self, environ, start_response):
        self.counter.reset()
        t0 = time.perf_counter()

        def measured(status, headers, exc_info=None):
            statements, commits = self.counter.read()
            headers = [*headers, ("X-Bench-Statements", str(statements)), ("X-Bench-Commits", str(commits)),
                       ("X-Bench-Ms", f"{(time.perf_counter() - t0) * 1000:.3f}")]
            return start_response(status, headers, exc_info)

        return self.app(environ, measured)


def _serve(db_url: str, sock: socket.socket, threads: int, profile_path: str | None) -> None:
    logging.getLogger("waitress").setLevel(logging.ERROR)
    logging.getLogger("xieshang").setLevel(logging.ERROR)
    import waitress

    from web import create_app
    from web.db import EXTENSION

    from .fixtures import Counter

    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": SECRET})
    app.wsgi_app = Measure(app.wsgi_app, Counter(app.extensions[EXTENSION]["engine"]))
    if profile_path:
        _profiled(app, profile_path)
    server = waitress.create_server(app, sockets=[sock], threads=threads, ident="xieshang")
    if profile_path:
        # the profile is written on SIGTERM
        signal.signal(signal.SIGTERM, lambda *_: (app.bench_profile.dump_stats(profile_path), os._exit(0)))
    server.run()


def _profiled(app, path: str) -> None:
    """Profile every request in the WSGI app (waitress runs it in worker threads: profile there, one at a time)."""
    import cProfile
    import threading

    profile = cProfile.Profile()
    lock = threading.Lock()
    inner = app.wsgi_app

    def wsgi(environ, start_response):
        with lock:
            profile.enable()
            try:
                return list(inner(environ, start_response))
            finally:
                profile.disable()

    app.wsgi_app = wsgi
    app.bench_profile = profile


@dataclass
class Server:
    process: multiprocessing.Process
    port: int

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(10)


def start(db_url: str, threads: int = THREADS, profile_path: str | None = None) -> Server:
    """Fork a waitress process serving the app on a free port of 127.0.0.1; returns once it answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    process = multiprocessing.get_context("fork").Process(
        target=_serve, args=(db_url, sock, threads, profile_path), daemon=True)
    process.start()
    sock.close()
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"GET /login HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                if probe.recv(12).startswith(b"HTTP/1."):
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or not process.is_alive():
            process.terminate()
            raise RuntimeError(f"the web app did not come up on port {port}")
        time.sleep(0.05)
    return Server(process, port)
