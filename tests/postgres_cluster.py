"""A throwaway PostgreSQL cluster for the tests that stop and restart the server (importable as
`postgres_cluster`: tests/ is on sys.path). initdb + pg_ctl from /usr/lib/postgresql/*/bin, as in
.ci/run's start_throwaway_postgres: trust authentication, a free port on 127.0.0.1, its socket in
its own temporary directory; run as the postgres user (runuser) when the tests run as root.
Every pg_ctl call waits at most TIMEOUT seconds; `throwaway_cluster()` stops the server and
removes its directory whatever happens in the block."""
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TIMEOUT = 60


def bindir() -> Path | None:
    """The newest installed PostgreSQL's bin directory, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4]))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    def __init__(self, directory: Path, port: int) -> None:
        self.directory, self.port, self.bin = directory, port, bindir()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # From the cluster's directory: the working directory may not be readable by postgres.
        subprocess.run(command, cwd=self.directory, check=True, timeout=TIMEOUT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.directory / "data"), "--auth=trust", "--username=postgres",
                  "--encoding=UTF8", "--no-locale")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-l", str(self.directory / "server.log"),
                  "-w", "-t", str(TIMEOUT), "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory}",
                  "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "fast", "-w", "-t", str(TIMEOUT), "stop")

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    directory = Path(tempfile.mkdtemp(prefix="clausematch-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(directory, free_port())
    initialised = False
    try:
        cluster.init()
        initialised = True
        cluster.start()
        yield cluster
    finally:
        if initialised:
            try:
                cluster.stop()
            except subprocess.SubprocessError:
                pass  # not running: stopped by the test, or never started
        shutil.rmtree(directory, ignore_errors=True)
