"""Looking at real processes from a test: free ports, Redis reachable, waiting, and what
/proc says of a process (alive, its children, its TCP sockets on a port)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

LISTEN = "0A"  # /proc/net/tcp states
ESTABLISHED = "01"


_HANDED_OUT: set[int] = set()


def free_port(host: str = "127.0.0.1") -> int:
    """A port free now, and never one this process handed out before: the kernel may
    give the same port to two binds in a row once the first is closed, and a test that
    picks its portal's and its workers' ports before starting them would then start
    two servers on one port (seen once: "address already in use")."""
    while True:
        with socket.socket() as sock:
            sock.bind((host, 0))
            port: int = sock.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def wait_until(what: str, ready: Callable[[], bool], timeout: float = 240.0) -> None:
    """Poll ``ready`` until it holds (generous: the machine may be busy; not a timing
    assertion)."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def children(pid: int) -> list[int]:
    """The live child processes of ``pid``."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return [p for p in found if alive(p)]


def tcp_sockets(port: int, pid: int, state: str) -> int:
    """TCP sockets of ``pid`` on local ``port`` in ``state`` (LISTEN, ESTABLISHED)."""
    inodes = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except FileNotFoundError:
        return 0
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[3] == state and fields[9] in inodes:
            count += 1
    return count
