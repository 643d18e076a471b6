#!/usr/bin/env python3
# doc-examples.py - extract the examples of README.md and the man pages, and run them
# SPDX-License-Identifier: MIT
"""Run every documented example as shown (the idea of git's and jq's tested docs).

    test/doc-examples.py list FILE...            print the examples found
    test/doc-examples.py run --lp LP FILE        run FILE's examples in the cwd

Examples are the ```sh blocks of a Markdown file and the .EX/.EE blocks of a
man page's EXAMPLES section. A block runs as one `sh -e` script, in order,
in the current directory (the caller prepares a scene there: see
test/cli/t0003-doc-examples.sh), and must exit 0. A comment just above a
block changes that:

    <!-- doc-test: options-only REASON -->     (Markdown)
    .\\" doc-test: options-only REASON          (roff)
        the block needs what no test machine has (a registry image, a
        site's own host): each of its lp commands is run with --help
        appended instead, so every option it uses must parse
    doc-test: cwd=checkout    run in the source tree (LP_TOP), not the scene
    doc-test: exit=N          the block must exit N
    doc-test: expect=TEXT     its output must contain TEXT
(several of them separated by ";").

Prints "ok - ..." / "not ok - ..." lines (test/cli/lib.sh's format) and a
count of what ran and what was only checked.
"""
import os
import re
import shlex
import signal
import subprocess
import sys

TIMEOUT = 180
ROFF = [("\\-", "-"), ("\\(dq", '"'), ("\\(aq", "'"), ("\\(em", "--"), ("\\(en", "-"),
        ("\\&", ""), ("\\fB", ""), ("\\fI", ""), ("\\fR", ""), ("\\fP", ""), ("\\e", "\\")]


def roff_text(line):
    out = []
    i = 0
    while i < len(line):
        for a, b in ROFF:
            if line.startswith(a, i):
                out.append(b)
                i += len(a)
                break
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


def parse_note(text):
    """'options-only why; exit=1' -> {'options-only': 'why', 'exit': '1'}"""
    note = {}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, _, val = part.partition("=") if "=" in part.split(" ")[0] else part.partition(" ")
        val = val.strip()
        if len(val) >= 2 and val[0] == val[-1] and val[0] in "'\"":
            val = val[1:-1]
        note[key.strip()] = val
    return note


def markdown_blocks(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    blocks, i = [], 0
    while i < len(lines):
        if lines[i] == "```sh":
            start, body = i + 1, []
            i += 1
            while i < len(lines) and lines[i] != "```":
                body.append(lines[i])
                i += 1
            note = {}
            j = start - 2
            while j >= 0 and not lines[j].strip():
                j -= 1
            m = re.match(r"^<!-- doc-test: (.*) -->$", lines[j]) if j >= 0 else None
            if m:
                note = parse_note(m.group(1))
            blocks.append((start + 1, "\n".join(body) + "\n", note))
        i += 1
    return blocks


def man_blocks(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    blocks, in_examples, note, i = [], False, {}, 0
    while i < len(lines):
        ln = lines[i]
        if ln.startswith(".SH"):
            in_examples = ln.split(None, 1)[1:] == ["EXAMPLES"]
        elif in_examples and ln.startswith('.\\" doc-test:'):
            note = parse_note(ln.split("doc-test:", 1)[1])
        elif in_examples and ln == ".EX":
            start, body = i + 1, []
            i += 1
            while i < len(lines) and lines[i] != ".EE":
                if not lines[i].startswith("."):
                    body.append(roff_text(lines[i]))
                i += 1
            blocks.append((start + 1, "\n".join(body) + "\n", note))
            note = {}
        i += 1
    return blocks


def blocks_of(path):
    return man_blocks(path) if re.search(r"\.[0-9]$", path) else markdown_blocks(path)


def lp_commands(script):
    """The argument lists of the lp commands in a script (continuations joined)."""
    text = script.replace("\\\n", " ")
    cmds = []
    for line in text.split("\n"):
        try:
            lex = shlex.shlex(line, posix=True, punctuation_chars=True)
            lex.commenters = "#"
            lex.whitespace_split = True
            toks = list(lex)
        except ValueError:
            continue
        cur = []
        for t in toks + [";"]:
            if t in ("&&", "||", ";", "|", "&", "(", ")"):
                while cur and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", cur[0]):
                    cur.pop(0)
                if cur and os.path.basename(cur[0]) == "lp":
                    cmds.append(cur[1:])
                cur = []
            else:
                cur.append(t)
    return cmds


def first_line(script):
    for ln in script.split("\n"):
        if ln.strip():
            return ln.strip()[:90]
    return "(empty)"


def show(text, prefix="  "):
    for ln in text.rstrip("\n").split("\n")[-15:]:
        print(prefix + ln)


def run_block(path, line, script, note, lp, top, counts):
    where = "%s:%d" % (os.path.relpath(path, top), line)
    if "options-only" in note:
        counts["checked"] += 1
        cmds = lp_commands(script)
        if not cmds:
            print("not ok - %s: options-only, but no lp command in it" % where)
            return
        for args in cmds:
            p = subprocess.run([lp] + args + ["--help"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, timeout=60)
            desc = "%s: options parse: lp %s" % (where, " ".join(args))[:120]
            if p.returncode == 0:
                print("ok - %s (not run: %s)" % (desc, note["options-only"]))
            else:
                print("not ok - %s (exit %d)" % (desc, p.returncode))
                show(p.stderr)
        return
    counts["run"] += 1
    cwd = top if note.get("cwd") == "checkout" else os.getcwd()
    want = int(note.get("exit", "0"))
    proc = subprocess.Popen(["sh", "-e", "-c", script], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        print("not ok - %s: %s (timed out after %d s)" % (where, first_line(script), TIMEOUT))
        show(out)
        return
    finally:
        # what the block left in the background (lp serve ... &) ends with it
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    if proc.returncode == want and note.get("expect", "") in out:
        print("ok - %s: %s" % (where, first_line(script)))
    elif proc.returncode == want:
        print("not ok - %s: %s (output lacks '%s')" % (where, first_line(script),
                                                      note["expect"]))
        show(out)
    else:
        print("not ok - %s: %s (exit %d, expected %d)" % (where, first_line(script),
                                                          proc.returncode, want))
        show(out)


def main(argv):
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if len(argv) >= 2 and argv[0] == "list":
        for path in argv[1:]:
            for line, script, note in blocks_of(path):
                print("== %s:%d %s" % (path, line, note or ""))
                sys.stdout.write(script)
        return 0
    if len(argv) == 4 and argv[0] == "run" and argv[1] == "--lp":
        lp, path = argv[2], argv[3]
        counts = {"run": 0, "checked": 0}
        blocks = blocks_of(path)
        if not blocks:
            print("not ok - %s: no examples found" % path)
        for line, script, note in blocks:
            run_block(path, line, script, note, lp, top, counts)
        print("# %s: %d example blocks run, %d checked for options only" %
              (os.path.relpath(path, top), counts["run"], counts["checked"]))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
