"""Prefect's temporary local server (a uvicorn child process) dies with the process that
started it, even when that process is killed by SIGKILL: on Linux the child asks the kernel
for SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG), set between fork and exec.

Its output goes to a log file, not to this process's terminal: when it is stopped at the end
of a run, its services log the flushes they were cancelled in (~170 lines of CancelledError
tracebacks) although the run succeeded, and our errors are one line."""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

PR_SET_PDEATHSIG = 1


def server_log() -> Path:
    """Where the temporary servers' output goes: PREFECT_HOME/temporary-server.log."""
    from prefect.settings import get_current_settings
    return get_current_settings().home / "temporary-server.log"


def die_with_parent() -> None:
    """Make the temporary servers Prefect starts from now on die with this process (Linux;
    elsewhere nothing changes) and write their output to server_log(). Only a server started
    from the main thread is tied to it: the kernel signals the child when the thread that
    forked it ends."""
    from prefect.server.api import server
    if isinstance(server.subprocess, SimpleNamespace):   # done already
        return
    linux = sys.platform.startswith("linux")
    prctl = ctypes.CDLL(None, use_errno=True).prctl if linux else None  # looked up here, not in the child
    parent = os.getpid()

    def in_child() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:                        # the parent died before prctl
            os.kill(os.getpid(), signal.SIGTERM)

    def popen(*args, **kwargs):
        if linux and threading.current_thread() is threading.main_thread():
            kwargs.setdefault("preexec_fn", in_child)
        log = server_log()
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as f:                        # the child keeps its own descriptor
            kwargs.setdefault("stdout", f)
            kwargs.setdefault("stderr", subprocess.STDOUT)
            return subprocess.Popen(*args, **kwargs)

    names = {k: getattr(subprocess, k) for k in dir(subprocess) if not k.startswith("__")}
    server.subprocess = SimpleNamespace(**{**names, "Popen": popen})
