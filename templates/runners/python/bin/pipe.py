#!/usr/bin/env python3
# pipe.py - lp's Python runner: the LangServer bin/pipe protocol (langpacks spec 4.2)
# SPDX-License-Identifier: MIT
#
# Loads src/<algoname>.py (algoname from algorithmia.conf, else
# $ALGORITHMIA_ALGORITHM_NAME, else the one src/*.py file) and calls its
# apply(input) once per request:
#   stdin:  one compact JSON line per request, {"content_type": "text"|"json"|"binary", "data": ...}
#   stdout: PIPE_INIT_COMPLETE once loaded (before reading any input)
#   output FIFO ($ALGOOUT, default /tmp/algoout), opened fresh per response,
#   one JSON document plus "\n":
#     {"result": <value>, "metadata": {"content_type": "text"|"json"|"binary"}}
#     {"error": {"message": "...", "stacktrace": "...", "error_type": "..."}}
# bytes results are sent base64-encoded as binary, str as text, anything else as json.
# The loop ends at EOF on stdin with exit status 0; a load error exits 1.
#
# An algorithm with an .adk marker file in its root implements the protocol
# itself (the Algorithmia ADK): then this only runs src.<algoname> as __main__.
import base64
import importlib.util
import json
import os
import sys
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.environ.get("ALGOOUT") or "/tmp/algoout"


def algoname():
    """algorithmia.conf's algoname, else $ALGORITHMIA_ALGORITHM_NAME (as
    upstream's Java runner), else the stem of the one src/*.py file."""
    conf = os.path.join(ROOT, "algorithmia.conf")
    if os.path.exists(conf):
        with open(conf, encoding="utf-8") as f:
            return json.load(f)["algoname"]
    if os.environ.get("ALGORITHMIA_ALGORITHM_NAME"):
        return os.environ["ALGORITHMIA_ALGORITHM_NAME"]
    src = os.path.join(ROOT, "src")
    found = sorted(f[:-3] for f in (os.listdir(src) if os.path.isdir(src) else [])
                   if f.endswith(".py") and f != "__init__.py")
    if len(found) != 1:
        raise ImportError("no algorithmia.conf and no ALGORITHMIA_ALGORITHM_NAME, and src/ holds "
                          "%s: cannot tell which is the algorithm"
                          % (", ".join(f + ".py" for f in found) or "no .py file"))
    return found[0]


def load_apply():
    name = algoname()
    src = os.path.join(ROOT, "src")
    sys.path.insert(0, src)
    spec = importlib.util.spec_from_file_location(name, os.path.join(src, name + ".py"))
    if spec is None or spec.loader is None:
        raise ImportError("cannot load src/%s.py" % name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.apply


def decode_input(request):
    kind = request.get("content_type")
    data = request.get("data")
    if kind == "text" or kind == "json":
        return data
    if kind == "binary":
        return base64.b64decode(data)
    raise ValueError("unsupported content_type %r" % (kind,))


def success(result):
    if isinstance(result, (bytes, bytearray)):
        return {"result": base64.b64encode(bytes(result)).decode("ascii"),
                "metadata": {"content_type": "binary"}}
    if isinstance(result, str):
        return {"result": result, "metadata": {"content_type": "text"}}
    return {"result": result, "metadata": {"content_type": "json"}}


def failure(exc, error_type="AlgorithmError"):
    etype = getattr(exc, "error_type", None)
    return {"error": {"message": str(exc),
                      "stacktrace": traceback.format_exc(),
                      "error_type": etype if isinstance(etype, str) else error_type}}


def respond(doc):
    try:
        text = json.dumps(doc, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        text = json.dumps(failure(exc), separators=(",", ":"))
    sys.stdout.flush()
    sys.stderr.flush()
    with open(OUT, "w", encoding="utf-8") as out:
        out.write(text + "\n")


def run_adk():
    name = algoname()
    sys.path.insert(0, ROOT)
    import runpy
    runpy.run_module("src." + name, run_name="__main__", alter_sys=True)
    return 0


def main():
    if os.path.exists(os.path.join(ROOT, ".adk")):
        return run_adk()
    try:
        apply = load_apply()
    except Exception:  # a load error: report it, exit non-zero before the marker
        traceback.print_exc()
        return 1
    print("PIPE_INIT_COMPLETE", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            value = decode_input(request)
        except Exception as exc:
            respond(failure(exc, "SystemError"))
            continue
        try:
            respond(success(apply(value)))
        except Exception as exc:
            respond(failure(exc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
