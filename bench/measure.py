"""Running a command while watching the memory of its whole process tree.

The build forks worker processes, so the parent's own peak RSS says little: we sum RSS over the
parent and every descendant, sampled every 0.1 s. The sum counts pages shared between a parent and
its forked children once per process, so it overstates real use a little; it is the figure the
issue's memory target is checked against because it is what ``top`` users would add up.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

SAMPLE_INTERVAL_S = 0.1


@dataclass(frozen=True)
class TreeSample:
    rss_bytes: int
    processes: int


def sample_tree(root: psutil.Process) -> TreeSample:
    """Summed RSS of ``root`` and its descendants now; processes that exit meanwhile count 0."""
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return TreeSample(0, 0)
    total = 0
    alive = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
            alive += 1
        except psutil.Error:
            continue
    return TreeSample(total, alive)


@dataclass(frozen=True)
class RunResult:
    command: list[str]
    returncode: int | None  # None when it was stopped for running too long
    # (when stopped because ``until()`` came true, the signal's negative number)
    wall_s: float
    peak_rss_bytes: int
    peak_processes: int
    cpu_s: float  # user + system of the tree, from the kernel's accounting of reaped children
    samples: int
    stdout_tail: str
    stderr_tail: str
    timed_out: bool
    condition_met: bool  # ``until()`` came true (the command was then stopped)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def stop_group(proc: subprocess.Popen[bytes], grace_s: float = 10.0) -> None:
    """SIGTERM the process group we started, then SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        proc.wait()


def run_measured(
    command: Sequence[str],
    *,
    cwd: Path,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    timeout_s: float | None = None,
    until: Callable[[], bool] | None = None,
) -> RunResult:
    """Run ``command`` in its own session, sampling its tree's memory until it exits.

    With ``until``, the run ends as soon as ``until()`` is true (the command is then stopped and
    ``returncode`` is the code it was stopped with); this is how a server is timed to its first
    answered request.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / "stdout.log", log_dir / "stderr.log"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_rss = peak_procs = samples = 0
    timed_out = condition_met = False
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            root = psutil.Process(proc.pid)
            while proc.poll() is None:
                sample = sample_tree(root)
                samples += 1
                peak_rss = max(peak_rss, sample.rss_bytes)
                peak_procs = max(peak_procs, sample.processes)
                if until is not None and until():
                    condition_met = True
                    break
                if timeout_s is not None and time.perf_counter() - start > timeout_s:
                    timed_out = True
                    break
                time.sleep(SAMPLE_INTERVAL_S)
            wall = time.perf_counter() - start
        finally:
            stop_group(proc)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return RunResult(
        command=list(command),
        returncode=None if timed_out else proc.returncode,
        wall_s=wall,
        peak_rss_bytes=peak_rss,
        peak_processes=peak_procs,
        cpu_s=cpu,
        samples=samples,
        stdout_tail=_tail(out_path),
        stderr_tail=_tail(err_path),
        timed_out=timed_out,
        condition_met=condition_met,
    )
