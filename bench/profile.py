"""Sampling profiles of a benchmark's server processes with py-spy (pinned in requirements-dev.txt).

`Profiler(pids, path)` records from `start()` to `stop()` in py-spy's "raw" format (one collapsed
stack per line with its sample count) and `top(path)` sums the samples per function: self time
(the function on top of the stack) and total time (anywhere on the stack).
"""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path


def py_spy() -> str | None:
    """The py-spy executable next to this interpreter, or on PATH."""
    here = Path(sys.executable).with_name("py-spy")
    return str(here) if here.exists() else shutil.which("py-spy")


class Profiler:
    """py-spy record on some processes between start() and stop(), one raw file per process."""

    def __init__(self, pids: list[int], out_dir: Path, label: str, rate: int = 200):
        self.pids, self.out_dir, self.label, self.rate = pids, out_dir, label, rate
        self.procs: list[subprocess.Popen] = []
        self.paths: list[Path] = []

    def start(self) -> bool:
        exe = py_spy()
        if exe is None:
            print("  (py-spy not found: no profile)")
            return False
        for pid in self.pids:
            path = self.out_dir / f"profile-{self.label}-{pid}.txt"
            self.paths.append(path)
            self.procs.append(subprocess.Popen(
                [exe, "record", "--pid", str(pid), "--rate", str(self.rate), "--format", "raw", "--output", str(path),
                 "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        return True

    def stop(self) -> list[Path]:
        for proc in self.procs:  # our own py-spy children, by handle
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        return [p for p in self.paths if p.exists()]


def top(paths: list[Path], n: int = 15) -> list[tuple[str, float, float]]:
    """(function, self %, total %) of the n functions with the most self samples over the files."""
    own, total, samples = Counter(), Counter(), 0
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            k = int(count)
            samples += k
            frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1] + ")"
                      if " (" in f else f for f in stack.split(";")]
            own[frames[-1]] += k
            for frame in set(frames):
                total[frame] += k
    if not samples:
        return []
    return [(f, 100 * c / samples, 100 * total[f] / samples) for f, c in own.most_common(n)]


def print_top(paths: list[Path], title: str, n: int = 15) -> None:
    """Print the profile's top functions by self time."""
    rows = top(paths, n)
    if not rows:
        return
    print(f"profile of {title} (py-spy, {len(paths)} process(es); self % / total % of samples):")
    for name, own, total in rows:
        print(f"  {own:5.1f}% {total:5.1f}%  {name}")
