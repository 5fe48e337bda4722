"""Prefect's temporary local server (a uvicorn child process) dies with the process that
started it, even when that process is killed by SIGKILL: on Linux the child asks the kernel
for SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG), set between fork and exec."""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from types import SimpleNamespace

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Make the temporary servers Prefect starts from now on die with this process (Linux;
    elsewhere nothing changes). Only a server started from the main thread is tied to it:
    the kernel signals the child when the thread that forked it ends."""
    if not sys.platform.startswith("linux"):
        return
    from prefect.server.api import server
    if isinstance(server.subprocess, SimpleNamespace):   # done already
        return
    prctl = ctypes.CDLL(None, use_errno=True).prctl      # looked up here, not in the child
    parent = os.getpid()

    def in_child() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:                        # the parent died before prctl
            os.kill(os.getpid(), signal.SIGTERM)

    def popen(*args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            kwargs.setdefault("preexec_fn", in_child)
        return subprocess.Popen(*args, **kwargs)

    names = {k: getattr(subprocess, k) for k in dir(subprocess) if not k.startswith("__")}
    server.subprocess = SimpleNamespace(**{**names, "Popen": popen})
