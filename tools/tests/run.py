#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run iopgt command-line cases and compare with their expected output.

usage: run.py --tool IOPGT [--update] [NAME...]
       run.py --orphans


Each case is one line of cases.txt, "NAME: ARGS". In ARGS, @FILE names a
script in scripts/, <FILE feeds scripts/FILE to standard input, and +FILE
is no argument but a file the run writes (in its working directory, a
fresh temporary one) whose text is shown after the output. The result, the
command line, standard output, standard error, the files and the exit
status, must equal expected/NAME.txt byte for byte. ARGS may run the tool
several times, separated by " && ", in one working directory. --update writes the
expected files instead (then review them with git diff). --orphans fails
when expected/ holds a file that no case produces, or a case has none.
"""
import argparse
import difflib
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "scripts")
EXPECTED = os.path.join(HERE, "expected")


def load_cases():
    cases = {}
    with open(os.path.join(HERE, "cases.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            name, sep, args = line.partition(":")
            if not sep:
                raise SystemExit(f"cases.txt: no ':' in {line!r}")
            cases[name.strip()] = args.strip()
    return cases


def words(data):
    """The non-zero 8-byte words of an image, by offset; a run of four or
    more whose values step evenly shows as its first word, a count and its
    last word."""
    w = [(off, int.from_bytes(data[off:off + 8], "little"))
         for off in range(0, len(data) - len(data) % 8, 8)]
    w = [(off, v) for off, v in w if v]
    lines, i = [], 0
    while i < len(w):
        j = i
        if i + 1 < len(w) and w[i + 1][0] == w[i][0] + 8:
            step = w[i + 1][1] - w[i][1]
            while (j + 1 < len(w) and w[j + 1][0] == w[j][0] + 8 and
                   w[j + 1][1] - w[j][1] == step):
                j += 1
        if j - i >= 3:
            lines.append(f"{w[i][0]:#08x}: {w[i][1]:#018x}\n")
            lines.append(f"  ... {j - i - 1} more, each {step:+#x}\n")
            lines.append(f"{w[j][0]:#08x}: {w[j][1]:#018x}\n")
        else:
            j = i
            lines.append(f"{w[i][0]:#08x}: {w[i][1]:#018x}\n")
        i = j + 1
    return lines


def run_one(tool, args, tmp, shown):
    argv, stdin_file = [tool], None
    for word in shlex.split(args):
        if word.startswith("@"):
            argv.append(os.path.join(SCRIPTS, word[1:]))
        elif word.startswith("<"):
            stdin_file = os.path.join(SCRIPTS, word[1:])
        elif word.startswith("+"):
            shown.append(word[1:])
        else:
            argv.append(word)
    stdin = open(stdin_file, "rb") if stdin_file else subprocess.DEVNULL
    try:
        p = subprocess.run(argv, cwd=tmp, stdin=stdin, capture_output=True,
                           env=dict(os.environ, LC_ALL="C"), timeout=120)
    finally:
        if stdin_file:
            stdin.close()
    return p


def run_case(tool, args):
    """ARGS may hold several runs of the tool separated by " && ", in one
    working directory (the second may read what the first wrote); each
    run's output and exit status are shown, the files after the last."""
    shown, out = [], []
    with tempfile.TemporaryDirectory() as tmp:
        runs = args.split(" && ")
        for k, one in enumerate(runs):
            p = run_one(tool, one, tmp, shown)
            out += [f"$ iopgt {one}\n",
                    "--- stdout\n", p.stdout.decode("utf-8", "replace"),
                    "--- stderr\n", p.stderr.decode("utf-8", "replace")]
            if k + 1 < len(runs):
                out.append(f"--- exit status {p.returncode}\n")
        for name in shown:
            path = os.path.join(tmp, name)
            if not os.path.exists(path):
                out.append(f"--- file {name}: missing\n")
                continue
            with open(path, "rb") as f:
                data = f.read()
            if name.endswith(".bin"):
                out.append(f"--- file {name}: {len(data)} bytes\n")
                out.extend(words(data))
            else:
                out.append(f"--- file {name}\n")
                out.append(data.decode("utf-8", "replace"))
        out.append(f"--- exit status {p.returncode}\n")
    return "".join(out).replace(SCRIPTS + os.sep, "scripts/")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--orphans", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    cases = load_cases()
    if a.orphans:
        have = {f[:-4] for f in os.listdir(EXPECTED) if f.endswith(".txt")}
        bad = sorted(have - set(cases)) + sorted(set(cases) - have)
        for name in bad:
            print(f"{name}: in {'expected/ only' if name in have else 'cases.txt only'}")
        return 1 if bad else 0
    if not a.tool:
        ap.error("--tool is required")
    names = a.names or list(cases)
    failed = 0
    for name in names:
        if name not in cases:
            print(f"{name}: no such case in cases.txt")
            failed += 1
            continue
        actual = run_case(os.path.abspath(a.tool), cases[name])
        path = os.path.join(EXPECTED, name + ".txt")
        if a.update:
            with open(path, "w", encoding="utf-8") as f:
                f.write(actual)
            print(f"{name}: written")
            continue
        try:
            with open(path, encoding="utf-8") as f:
                expected = f.read()
        except FileNotFoundError:
            print(f"{name}: expected/{name}.txt is missing (run.py --update {name})")
            failed += 1
            continue
        if actual != expected:
            failed += 1
            print(f"{name}: output differs from expected/{name}.txt")
            sys.stdout.writelines(difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True),
                f"expected/{name}.txt", "actual"))
        else:
            print(f"{name}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
