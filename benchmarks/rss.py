"""Resident memory of this process, as the kernel counts it; imports nothing of the bot."""

from pathlib import Path


def _megabytes(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def resident_megabytes() -> float:
    return _megabytes("VmRSS")


def peak_megabytes() -> float:
    """The highest resident memory this process has had."""
    return _megabytes("VmHWM")
