"""The door cut off from PostgreSQL by a real network partition: packets dropped, nothing refused.

The door runs in a network namespace of its own (tests/partitioned_door.py) and reaches the database through a
veth pair and a small TCP forwarder in this namespace (PostgreSQL listens on localhost only). The partition is a
`blackhole` qdisc on both ends of the pair (it drops every packet and tells the sender it went: 100% loss, like
netem's, which not every kernel has), so the door's kernel keeps retransmitting what it sent, exactly as when a
network silently loses a database: nothing answers and nothing says no.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import queue
import random
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.db import DOOR_TCP, WORK_TCP, make_engine
from models import InboxItem
from tests.databases import BACKENDS

REPO = Path(__file__).resolve().parent.parent
# Slack gives an acknowledgement 3 s. The door must have said "not recorded" well before, with time to answer: after
# one of TCP's timeouts (1 s, rounded up to its retransmission clock), never after two in a row.
DOOR_BUDGET = 2.0
# RFC 2544's benchmarking range: no real network uses it, so a /30 from it meets no route on the machine.
TEST_RANGE = ipaddress.ip_network("198.18.0.0/15")


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=10)


def _cannot_partition() -> str | None:
    if "postgresql" not in BACKENDS:
        return "PostgreSQL is not among the test databases"
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "making a network namespace and dropping its packets needs root"
    missing = [tool for tool in ("ip", "tc") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} (iproute2) not installed"
    return None


class Forwarder:
    """Listens on `address` and relays each connection to `target`, byte for byte, both ways."""

    def __init__(self, address: str, target: tuple[str, int]) -> None:
        self._target = target
        self._server = socket.create_server((address, 0))
        self.port = self._server.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                near, _ = self._server.accept()
            except OSError:  # closed
                return
            far = socket.create_connection(self._target)
            with self._lock:
                self._sockets += [near, far]
            for source, sink in ((near, far), (far, near)):
                threading.Thread(target=self._relay, args=(source, sink), daemon=True).start()

    @staticmethod
    def _relay(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._server.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


@dataclass
class Network:
    """A namespace joined to this one by a veth pair: `near` here, `far` there, each with its address."""

    namespace: str
    near: str
    far: str
    near_address: str = ""
    far_address: str = ""
    dropping: list[tuple[str, ...]] = field(default_factory=list)

    def partition(self) -> None:
        """Drop every packet both ways; nothing is refused, so each side can only wait."""
        for prefix in ((), ("ip", "netns", "exec", self.namespace)):
            device = self.far if prefix else self.near
            _run(*prefix, "tc", "qdisc", "add", "dev", device, "root", "blackhole")
            self.dropping.append((*prefix, "tc", "qdisc", "del", "dev", device, "root"))

    def heal(self) -> None:
        while self.dropping:
            _run(*self.dropping.pop())


def _free_subnet() -> ipaddress.IPv4Network:
    taken = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True, check=True).stdout
    while True:
        subnet = ipaddress.ip_network((int(TEST_RANGE.network_address) + 4 * random.randrange(
            TEST_RANGE.num_addresses // 4), 30))
        if not any(str(host) in taken for host in subnet):
            return subnet


@pytest.fixture
def network() -> Iterator[Network]:
    reason = _cannot_partition()
    if reason:
        pytest.skip(reason)
    suffix = secrets.token_hex(4)  # interface names have 15 characters at most
    net = Network(namespace=f"copbot-part-{suffix}", near=f"cpn{suffix}", far=f"cpf{suffix}")
    subnet = _free_subnet()
    near_address, far_address = (str(host) for host in subnet.hosts())
    try:
        _run("ip", "netns", "add", net.namespace)
        _run("ip", "link", "add", net.near, "type", "veth", "peer", "name", net.far, "netns", net.namespace)
        _run("ip", "addr", "add", f"{near_address}/30", "dev", net.near)
        _run("ip", "link", "set", net.near, "up")
        inside = ("ip", "netns", "exec", net.namespace)
        _run(*inside, "ip", "addr", "add", f"{far_address}/30", "dev", net.far)
        _run(*inside, "ip", "link", "set", net.far, "up")
        _run(*inside, "ip", "link", "set", "lo", "up")  # the namespace's own loopback, not this one's
        net.near_address, net.far_address = near_address, far_address
        try:
            net.partition()
            net.heal()
        except subprocess.CalledProcessError as error:
            pytest.skip(f"this kernel cannot drop a device's packets with tc: {error.stderr.strip()}")
        yield net
    finally:
        # Deleting the namespace deletes its end of the pair, which takes the other end and both qdiscs with it.
        with contextlib.suppress(subprocess.CalledProcessError):
            _run("ip", "netns", "del", net.namespace)
        with contextlib.suppress(subprocess.CalledProcessError):
            if net.near in subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout:
                _run("ip", "link", "del", net.near)


class Door:
    """tests/partitioned_door.py running inside the namespace, and its answers."""

    def __init__(self, network: Network, database_url: str) -> None:
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", network.namespace, sys.executable, "-m", "tests.partitioned_door", database_url],
            cwd=REPO, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(REPO)})
        self._answers: queue.Queue[dict] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._answers.put(json.loads(line))

    def record(self, key: str, *, timeout: float) -> dict:
        assert self.process.stdin is not None
        self.process.stdin.write(key + "\n")
        self.process.stdin.flush()
        try:
            answer = self._answers.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the door had not answered {key!r} after {timeout} s") from None
        assert answer["key"] == key
        return answer

    def close(self) -> None:
        self.process.kill()
        self.process.wait(5)


def test_in_a_partition_the_door_refuses_within_slacks_time_and_the_request_never_arrives_later(request, network):
    database_url = request.getfixturevalue("pg_test_database").next_test()
    url = make_url(database_url)
    forwarder = Forwarder(network.near_address, (url.host or "127.0.0.1", url.port or 5432))
    door_url = url.set(host=network.near_address, port=forwarder.port).update_query_dict(
        {"application_name": "partitioned-door"})
    door = Door(network, door_url.render_as_string(hide_password=False))
    engine = make_engine(database_url)
    try:
        # The first start imports the whole app; the door's connection is then open and pooled.
        assert door.record("before", timeout=30)["outcome"] == "recorded"
        network.partition()
        # On the pooled connection (the insert is sent and never acknowledged), then on a new one (its SYN is lost).
        for key in ("during-pooled", "during-new"):
            answer = door.record(key, timeout=DOOR_BUDGET + 3)
            assert answer["outcome"] == "OperationalError"
            assert answer["seconds"] < DOOR_BUDGET, answer
        network.heal()
        assert door.record("after", timeout=DOOR_BUDGET + 3)["outcome"] == "recorded"
        # A connection the database closed still fails at once on first use, and a new one records the request.
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE application_name = 'partitioned-door'"))
        assert door.record("after-restart", timeout=DOOR_BUDGET + 3)["outcome"] == "recorded"
        # TCP would resend what it still held at its next retransmission, a second or two after the network heals.
        time.sleep(3)
        with engine.connect() as connection:
            assert set(connection.scalars(select(InboxItem.key))) == {"before", "after", "after-restart"}
    finally:
        network.heal()
        door.close()
        forwarder.close()
        engine.dispose()


@pytest.mark.parametrize("door", [True, False], ids=["door", "work"])
def test_every_connection_gives_up_on_a_silent_database_in_its_time(request, door):
    """The kernel itself holds each connection to the limits: seconds for the door, a minute for the work
    (whose pre-ping and statements would otherwise wait the 15 minutes TCP retransmits for)."""
    if "postgresql" not in BACKENDS:
        pytest.skip("PostgreSQL is not among the test databases")
    engine = make_engine(request.getfixturevalue("pg_test_database").next_test(), door=door)
    limits = DOOR_TCP if door else WORK_TCP
    try:
        with engine.connect() as connection:
            descriptor = connection.connection.dbapi_connection.fileno()
            with socket.socket(fileno=os.dup(descriptor)) as sock:
                options = {"tcp_user_timeout": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT),
                           "keepalives": sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                           "keepalives_idle": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                           "keepalives_interval": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
                           "keepalives_count": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT)}
    finally:
        engine.dispose()
    assert options == limits
    silent_for = options["keepalives_idle"] + options["keepalives_interval"] * options["keepalives_count"]
    assert max(options["tcp_user_timeout"] / 1000, silent_for) <= (DOOR_BUDGET if door else 60)
