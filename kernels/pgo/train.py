#!/usr/bin/env python3
"""Trains the profile the CPU kernel is compiled with (option kernel_pgo).

usage: train.py TRAINER GCDA HEADER WORK_DIR FLAGSHIP SCENARIO...

Runs `risk` of the flagship (also with --sensitivity) and of each other
scenario on TRAINER, the program linked with the instrumented kernel, one
thread (its counters are not atomic); the counts land in GCDA. Then writes
HEADER, which the kernel's compile waits for, naming the counts' digest.
"""
import hashlib
import os
import subprocess
import sys


def main() -> int:
    trainer, gcda, header, work = sys.argv[1:5]
    flagship, others = sys.argv[5], sys.argv[6:]
    # libgcov adds a run's counts to those already in the file: counts of an
    # older kernel would be added to (or refused by) the new one's.
    if os.path.exists(gcda):
        os.remove(gcda)
    runs = [[flagship, "--paths", "300"], [flagship, "--paths", "40", "--sensitivity"]]
    runs += [[s, "--paths", "200"] for s in others]
    for i, run in enumerate(runs):
        cmd = [trainer, "risk", *run, "--threads", "1", "--backend", "cpu", "--out", os.path.join(work, f"run{i}")]
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            sys.stderr.write(f"train.py: {' '.join(cmd)} exited {done.returncode}\n{done.stderr}")
            return 1
    if not os.path.exists(gcda):
        sys.stderr.write(f"train.py: the runs wrote no profile at {gcda}\n")
        return 1
    with open(gcda, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    tmp = header + ".tmp"
    with open(tmp, "w") as f:
        f.write("// Written by kernels/pgo/train.py at build time: the CPU kernel was\n"
                "// compiled with the counts of its training runs.\n"
                "#pragma once\n"
                f"// sha256 of {os.path.basename(gcda)}: {digest}\n")
    os.replace(tmp, header)
    return 0


if __name__ == "__main__":
    sys.exit(main())
