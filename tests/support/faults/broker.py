"""A RabbitMQ node of the test's own, to restart or to push into a memory alarm.

The machine's shared broker (5672) serves other people's tests and must never be restarted or
alarmed, so these faults run on a node started here: its own node name, ports, data and log
directories, config and (empty) plugin list, registered with the shared EPMD. Its Erlang cookie is
generated in a HOME of its own, which `rabbitmqctl` here also uses. The node runs in the foreground
as a child process, so it is ended by its own pid if `rabbitmqctl stop` fails.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

from tests.support.polling import started
from tests.support.ports import free_port

_SBIN = Path("/usr/lib/rabbitmq/bin")  # the Debian package's real scripts (/usr/sbin's wrappers `su`)


def _tool(name: str) -> str | None:
    direct = _SBIN / name
    return str(direct) if direct.is_file() else shutil.which(name)


def available() -> bool:
    return _tool("rabbitmq-server") is not None and _tool("rabbitmqctl") is not None


class BrokerNode:
    def __init__(self, base_dir: Path):
        self.base = Path(base_dir)
        self.name = f"sopro-faults-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.process: subprocess.Popen | None = None
        self._write_files()

    def _write_files(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
            "loopback_users = none\n"
            "disk_free_limit.absolute = 1MB\n"  # a full CI disk must not raise an alarm of its own
            "log.console = false\n"
            "log.file.level = warning\n"
        )
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "rabbitmq-env.conf").write_text("")  # not /etc/rabbitmq's, which names the shared node

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "HOME": str(self.base),  # the Erlang cookie lives here, for the node and for rabbitmqctl
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.base / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_PID_FILE": str(self.base / "node.pid"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    def url(self, vhost: str = "/") -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/{quote(vhost, safe='')}"

    # --- life cycle ----------------------------------------------------------------------------------

    def start(self, timeout: float = 90.0) -> "BrokerNode":
        log = open(self.base / "server.out", "ab")
        self.process = subprocess.Popen([_tool("rabbitmq-server")], env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.base)
        # await_startup fails at once while the node is not yet registered with EPMD: poll it.
        started(self.process, lambda: self.ctl("await_startup", "--timeout", "10", check=False).returncode == 0,
                f"RabbitMQ node {self.name}", timeout, interval=0.3, log=self.base / "server.out")
        return self

    def stop(self, timeout: float = 30.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.ctl("stop", check=False, timeout=timeout)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()  # our own child, by its pid
            self.process.wait(10)

    def restart(self) -> None:
        """Stop the node and start it again on the same data: durable queues and persistent
        messages survive, every connection and unacknowledged delivery does not."""
        self.stop()
        self.start()

    def ctl(self, *args: str, check: bool = True, timeout: float = 60.0) -> subprocess.CompletedProcess:
        result = subprocess.run([_tool("rabbitmqctl"), "-q", "-n", self.name, *args], env=self.env,
                                capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {result.stderr or result.stdout}")
        return result

    # --- what the tests do with it -------------------------------------------------------------------

    def memory_alarm(self, on: bool) -> None:
        """Raise the memory alarm (a 1-byte high watermark) or clear it (the default 0.4)."""
        if on:
            self.ctl("set_vm_memory_high_watermark", "absolute", "1")
        else:
            self.ctl("set_vm_memory_high_watermark", "0.4")

    def alarms(self) -> str:
        return self.ctl("eval", "rabbit_alarm:get_alarms().").stdout

    def connection_states(self, vhost: str) -> list[str]:
        """The state of every client connection to `vhost` (`blocked` while an alarm holds a publisher)."""
        out = self.ctl("list_connections", "vhost", "state", "--no-table-headers").stdout
        return [line.split("\t")[1] for line in out.splitlines() if line.split("\t")[0] == vhost]

    def queue_depth(self, vhost: str, queue: str) -> int:
        out = self.ctl("list_queues", "-p", vhost, "name", "messages", "--no-table-headers").stdout
        for line in out.splitlines():
            name, _, count = line.strip().rpartition("\t")
            if name == queue:
                return int(count)
        raise KeyError(queue)
