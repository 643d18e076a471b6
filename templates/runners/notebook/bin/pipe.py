#!/usr/bin/env python3
# pipe.py - lp's notebook runner: a parameterised Jupyter notebook behind the bin/pipe protocol
# SPDX-License-Identifier: MIT
#
# 'lp install-algorithm' installs the notebook, this runner as bin/pipe and
# .lp/notebook.json (the notebook's file name, kernel, result variable and
# the parameters read from its cell tagged "parameters"). Per request:
#
#   stdin:  {"content_type": "json", "data": {"alpha": 0.1, ...}}  (a JSON object, else an error)
#   the values go into a new cell tagged "injected-parameters", placed as
#   papermill places it: in place of an earlier injected cell, else right
#   after the first cell tagged "parameters", else at the top (with
#   papermill's warning); a name the parameters cell does not assign gets
#   papermill's warning "Passed unknown parameter: NAME" on stderr
#   the notebook runs through nbclient on a fresh kernel of its kernelspec;
#   each cell's stdout/stderr streams are copied to ours (the answer's
#   metadata.stdout/stderr)
#   FIFO ($ALGOOUT): {"result": <the JSON value of `result`>, "metadata": {"content_type": "json"}}
#   or {"error": {"message": "cell 3 raised ValueError: ...", "error_type": "ValueError",
#                 "stacktrace": "..."}}
#
# Kernels: each request runs on a kernel no other request has touched, so no
# state leaks from one request's parameters into the next. The next kernel
# is started while the current request runs, so a request does not wait for
# a kernel to boot unless requests come faster than kernels start (about 1 s).
# --kernel reuse (LP_NOTEBOOK_KERNEL=reuse) keeps one kernel and only clears
# its namespace (InteractiveShell.reset) between requests: faster only for
# back-to-back requests (bench/notebook.sh), and imported modules,
# os.environ and the working directory carry over. Kernels are started under
# `setpriv --pdeathsig KILL`, so they die with the runner (lp serve's
# --timeout kills the runner's process group; kernels lead their own).
#
# Outputs: with $LP_OUTPUT_DIR (lp serve sets it for LP_NOTEBOOK_OUTPUT and
# stores what is left there under the request id) every run writes
# <stem>.ipynb (executed, injected cell included) and <stem>.html (nbconvert)
# there; standalone, --output DIR or LP_NOTEBOOK_OUTPUT=DIR writes them to
# DIR/<run id>/. Failed runs write them too (the error is in the notebook).
import argparse
import ast
import asyncio
import copy
import json
import keyword
import math
import os
import re
import secrets
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIFO = os.environ.get("ALGOOUT") or "/tmp/algoout"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
STARTUP_TIMEOUT = 60
PYTHON_FALLBACK = "/usr/bin/python3"


class Failure(Exception):
    """An error answer: error_type and message, with an optional stacktrace."""

    def __init__(self, error_type, message, stacktrace=None):
        super().__init__(message)
        self.error_type = error_type
        self.stacktrace = stacktrace


def import_jupyter():
    """Import nbclient, or re-run under Debian's python3 when the python3 on
    PATH (a pyenv or venv ahead of it) has no Jupyter."""
    try:
        import nbclient  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as exc:
        here = os.path.realpath(sys.executable)
        if (not os.environ.get("LP_NOTEBOOK_REEXEC") and os.access(PYTHON_FALLBACK, os.X_OK)
                and here != os.path.realpath(PYTHON_FALLBACK)):
            os.environ["LP_NOTEBOOK_REEXEC"] = "1"
            os.execv(PYTHON_FALLBACK, [PYTHON_FALLBACK] + sys.argv)
        raise Failure("SystemError", "cannot import Jupyter (%s): install python3-nbclient "
                      "python3-ipykernel python3-nbconvert" % exc)


# ---- parameters, as papermill's Python translator writes them ----

def py_str(s):
    # unicode_escape, then escape double quotes, inside double quotes (papermill)
    return '"' + s.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


def py_literal(v):
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "float('nan')"
        if math.isinf(v):
            return "float('-inf')" if v < 0 else "float('inf')"
        return str(v)
    if isinstance(v, str):
        return py_str(v)
    if isinstance(v, dict):
        return "{" + ", ".join("%s: %s" % (py_str(str(k)), py_literal(x)) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(py_literal(x) for x in v) + "]"
    return py_str(str(v))


def injected_source(params):
    return "# Parameters\n" + "".join("%s = %s\n" % (k, py_literal(v)) for k, v in params.items())


def tags(cell):
    return cell.get("metadata", {}).get("tags", []) or []


def first_tagged(nb, tag):
    for i, cell in enumerate(nb.cells):
        if tag in tags(cell):
            return i
    return -1


def parameterize(nb, origin, params):
    """Insert the injected-parameters cell where papermill does; keep `origin`
    (each cell's index in the notebook as written, None for ours) in step."""
    import nbformat

    cell = nbformat.v4.new_code_cell(source=injected_source(params))
    cell.metadata["tags"] = ["injected-parameters"]
    injected, declared = first_tagged(nb, "injected-parameters"), first_tagged(nb, "parameters")
    if injected >= 0:
        nb.cells[injected] = cell
        origin[injected] = None
    elif declared >= 0:
        nb.cells.insert(declared + 1, cell)
        origin.insert(declared + 1, None)
    else:
        print("Input notebook does not contain a cell with tag 'parameters'", file=sys.stderr)
        nb.cells.insert(0, cell)
        origin.insert(0, None)
    nb.metadata.setdefault("papermill", {})["parameters"] = params


def json_type(v):
    for t, name in ((type(None), "null"), (bool, "a boolean"), ((int, float), "a number"),
                    (str, "a string"), (list, "an array")):
        if isinstance(v, t):
            return name
    return type(v).__name__


def request_parameters(line, declared):
    """The parameters of one request line, or a Failure."""
    try:
        request = json.loads(line)
    except ValueError as exc:
        raise Failure("SystemError", "cannot parse the request: %s" % exc)
    if not isinstance(request, dict):
        raise Failure("SystemError", "the request is not a JSON object")
    kind, data = request.get("content_type"), request.get("data")
    if kind != "json":
        raise Failure("InputError", "a notebook takes a JSON object of parameters, not %s input"
                      % kind)
    if not isinstance(data, dict):
        raise Failure("InputError", "a notebook takes a JSON object of parameters, not %s"
                      % json_type(data))
    for name in data:
        if not name.isidentifier() or keyword.iskeyword(name):
            raise Failure("InputError", "invalid parameter name %r: not a Python identifier" % name)
    for name in data:
        if name not in declared:
            print("Passed unknown parameter: %s" % name, file=sys.stderr)
    return data


# ---- kernels ----

def kernel_manager_class():
    from jupyter_client.manager import AsyncKernelManager

    setpriv = shutil.which("setpriv")

    class KernelManager(AsyncKernelManager):
        """Kernels lead their own session (jupyter_client): make them die with us."""

        async def _launch_kernel(self, kernel_cmd, **kw):
            if setpriv:
                kernel_cmd = [setpriv, "--pdeathsig", "KILL", "--"] + list(kernel_cmd)
            await AsyncKernelManager._launch_kernel(self, kernel_cmd, **kw)

    return KernelManager


class Kernel:
    def __init__(self, km, kc):
        self.km, self.kc = km, kc


class Kernels:
    """One ready kernel at all times; `take` hands it out and boots the next."""

    def __init__(self, name, cwd, reuse):
        self.name, self.cwd, self.reuse = name, cwd, reuse
        self.manager = kernel_manager_class()
        self.spare = None
        self.retiring = set()  # kernels being shut down
        # connection files (they hold the kernels' HMAC keys) in a directory of
        # our own, not as loose temp files in /tmp
        self.runtime = os.environ.get("JUPYTER_RUNTIME_DIR")
        self.own_runtime = not self.runtime
        if self.runtime:
            os.makedirs(self.runtime, mode=0o700, exist_ok=True)
        else:
            self.runtime = tempfile.mkdtemp(prefix="lp-notebook-")

    async def _start(self):
        km = self.manager(kernel_name=self.name)
        km.connection_file = os.path.join(self.runtime, "kernel-%s.json" % secrets.token_hex(8))
        km.shutdown_wait_time = 2.0
        await km.start_kernel(cwd=self.cwd)
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
        except BaseException:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
            raise
        return Kernel(km, kc)

    async def prime(self):
        self.spare = asyncio.ensure_future(self._start())
        await self.spare

    async def take(self):
        try:
            kernel = await self.spare
        except Exception as exc:
            self.spare = asyncio.ensure_future(self._start())
            raise Failure("SystemError", "cannot start kernel %r: %s" % (self.name, exc))
        if not self.reuse:
            self.spare = asyncio.ensure_future(self._start())
        return kernel

    def done(self, kernel, dead=False):
        """After a request: a fresh-per-request kernel (or a dead one) goes away."""
        if self.reuse and not dead:
            return
        if self.reuse:
            self.spare = asyncio.ensure_future(self._start())
        # politely (files the notebook left open get flushed), in the background
        self.retiring.add(kernel)
        task = asyncio.ensure_future(self._stop(kernel, now=dead))
        task.add_done_callback(lambda _, k=kernel: self.retiring.discard(k))

    async def _stop(self, kernel, now):
        kernel.kc.stop_channels()
        try:
            await kernel.km.shutdown_kernel(now=now)
        except Exception:  # already gone
            pass

    async def close(self):
        """At EOF: kill every kernel now (lp serve gives us --stop-timeout seconds)."""
        kernels = list(self.retiring)
        if self.spare is not None:
            if self.spare.done() and not self.spare.cancelled() and not self.spare.exception():
                kernels.append(self.spare.result())
            else:
                self.spare.cancel()  # one still booting dies with us (pdeathsig)
        try:
            await asyncio.wait_for(asyncio.gather(*(self._stop(k, now=True) for k in kernels),
                                                  return_exceptions=True), 1.0)
        except asyncio.TimeoutError:
            pass
        if self.own_runtime:
            shutil.rmtree(self.runtime, ignore_errors=True)


# ---- one run ----

class Streams:
    """Copies cells' stdout/stderr to ours, each stream ending in a newline."""

    def __init__(self):
        self.open = {"stdout": False, "stderr": False}

    def cell(self, cell):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") in self.open:
                text = out.get("text", "")
                if text:
                    (sys.stdout if out["name"] == "stdout" else sys.stderr).write(text)
                    self.open[out["name"]] = not text.endswith("\n")

    def close(self):
        for name, partial in self.open.items():
            if partial:
                (sys.stdout if name == "stdout" else sys.stderr).write("\n")
        sys.stdout.flush()
        sys.stderr.flush()


def cell_failure(nb, origin, index, exc):
    cell = nb.cells[index]
    where = "cell %d" % origin[index] if origin[index] is not None else \
        "the injected-parameters cell"
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            ename, evalue = out.get("ename", "Error"), out.get("evalue", "")
            stack = ANSI.sub("", "\n".join(out.get("traceback", [])))
            break
    else:
        ename, evalue, stack = getattr(exc, "ename", "Error"), getattr(exc, "evalue", ""), None
    return Failure(ename, "%s raised %s: %s" % (where, ename, evalue), stack)


async def fetch_result(client, name):
    """The JSON value of `name` in the kernel, None if it is not set."""
    exprs = {"type": "type(%s).__name__" % name,
             "json": "__import__('json').dumps(%s, allow_nan=False)" % name}
    msg_id = client.kc.execute("", silent=True, store_history=False, user_expressions=exprs)
    reply = await client.async_wait_for_reply(msg_id)
    found = (reply or {}).get("content", {}).get("user_expressions", {})
    kind = found.get("type", {})
    if kind.get("status") != "ok":
        if kind.get("ename") == "NameError":
            return None
        raise Failure(kind.get("ename", "SystemError"), "cannot read %r: %s" %
                      (name, kind.get("evalue", "no answer from the kernel")))
    tname = ast.literal_eval(kind["data"]["text/plain"])
    value = found.get("json", {})
    if value.get("status") != "ok":
        raise Failure(value.get("ename", "TypeError"), "%r of type %s is not JSON-serialisable: %s"
                      % (name, tname, value.get("evalue", "")))
    return json.loads(ast.literal_eval(value["data"]["text/plain"]))


async def reset_namespace(kernel):
    msg_id = kernel.kc.execute("get_ipython().reset(new_session=False)", silent=True,
                               store_history=False)
    while True:
        reply = await kernel.kc.get_shell_msg(timeout=STARTUP_TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg_id:
            return


async def execute(kernel, nb, origin, result_name, streams):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    client = NotebookClient(nb, km=kernel.km, resources={"metadata": {"path": ROOT}},
                            timeout=None, allow_errors=False)
    client.kc = kernel.kc
    async with client.async_setup_kernel():
        info = await client.async_wait_for_reply(kernel.kc.kernel_info())
        if info and "language_info" in info.get("content", {}):
            nb.metadata["language_info"] = info["content"]["language_info"]
        for index, cell in enumerate(nb.cells):
            try:
                await client.async_execute_cell(cell, index,
                                                execution_count=client.code_cells_executed + 1)
            except CellExecutionError as exc:
                raise cell_failure(nb, origin, index, exc)
            except DeadKernelError:
                where = "cell %d" % origin[index] if origin[index] is not None else \
                    "the injected-parameters cell"
                raise Failure("DeadKernelError", "the kernel died while running %s" % where)
            finally:
                streams.cell(cell)
        return await fetch_result(client, result_name)


def write_atomic(path, text):
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_outputs(nb, directory, stem, exporter):
    import nbformat

    os.makedirs(directory, exist_ok=True)
    write_atomic(os.path.join(directory, stem + ".ipynb"), nbformat.writes(nb))
    body, _ = exporter.from_notebook_node(nb)
    write_atomic(os.path.join(directory, stem + ".html"), body)


def run_id():
    """20261201T101500.123Z-1a2b3c4d, as lp serve makes request ids: sorts by time."""
    now = time.time()
    return "%s.%03dZ-%s" % (time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)),
                            int(now * 1000) % 1000, secrets.token_hex(4))


class Runner:
    def __init__(self, args):
        import nbformat

        with open(os.path.join(ROOT, ".lp", "notebook.json"), encoding="utf-8") as f:
            self.conf = json.load(f)
        self.path = os.path.join(ROOT, self.conf["notebook"])
        self.stem = os.path.splitext(os.path.basename(self.path))[0]
        self.result = self.conf.get("result") or "result"
        self.declared = {p["name"] for p in self.conf.get("parameters", [])}
        nb = nbformat.read(self.path, as_version=4)
        nb = nbformat.v4.upgrade(nb) or nb
        # papermill's error banners from an earlier run are not part of the notebook
        nb.cells = [c for c in nb.cells if "papermill-error-cell-tag" not in tags(c)]
        self.template = nb
        kernel = self.conf.get("kernel") or nb.metadata.get("kernelspec", {}).get("name") or "python3"
        self.kernels = Kernels(kernel, ROOT, args.kernel == "reuse")
        # lp serve hands us a private directory and names the files itself
        self.flat = os.environ.get("LP_OUTPUT_DIR") or None
        self.output = None if self.flat else args.output
        if self.output and "://" in self.output:
            raise Failure("SystemError", "cannot write outputs to %r: URLs are uploaded by lp serve "
                          "(run the notebook under lp serve)" % self.output)
        self.exporter = None
        if self.flat or self.output:
            from nbconvert import HTMLExporter

            self.exporter = HTMLExporter()  # made once: its templates load slowly

    async def handle(self, line):
        params = request_parameters(line, self.declared)
        nb = copy.deepcopy(self.template)
        origin = list(range(len(nb.cells)))
        if params:  # papermill injects nothing for no parameters
            parameterize(nb, origin, params)
        kernel = await self.kernels.take()
        if self.kernels.reuse:
            await reset_namespace(kernel)
        streams, failure, dead, value = Streams(), None, False, None
        started = time.time()
        try:
            value = await execute(kernel, nb, origin, self.result, streams)
        except Failure as exc:
            failure, dead = exc, exc.error_type == "DeadKernelError"
        finally:
            self.kernels.done(kernel, dead)
            streams.close()
        nb.metadata["lp"] = {"start_time": started, "duration": time.time() - started,
                             "exception": failure is not None}
        failure = self.keep(nb, failure)
        if failure:
            raise failure
        if isinstance(value, str):
            return {"result": value, "metadata": {"content_type": "text"}}
        return {"result": value, "metadata": {"content_type": "json"}}

    def keep(self, nb, failure):
        """Write the executed notebook and its HTML; a write error fails a good run."""
        if not self.flat and not self.output:
            return failure
        directory = self.flat or os.path.join(self.output, run_id())
        try:
            write_outputs(nb, directory, self.stem, self.exporter)
        except Exception as exc:
            msg = "cannot write the executed notebook to %r: %s" % (directory, exc)
            if failure:
                print(msg, file=sys.stderr)
                return failure
            return Failure("OutputError", msg)
        if not self.flat:
            print("wrote %s" % os.path.join(directory, self.stem + ".ipynb"), file=sys.stderr)
        return failure


def respond(doc):
    sys.stdout.flush()
    sys.stderr.flush()
    with open(FIFO, "w", encoding="utf-8") as out:
        out.write(json.dumps(doc, separators=(",", ":")) + "\n")


def error_doc(exc):
    err = {"message": str(exc), "error_type": exc.error_type}
    if exc.stacktrace:
        err["stacktrace"] = exc.stacktrace
    return {"error": err}


async def serve(args):
    try:
        runner = Runner(args)
        await runner.kernels.prime()
    except Exception as exc:  # a load error: report it, exit non-zero before the marker
        print("notebook runner: %s" % exc, file=sys.stderr)
        return 1
    print("PIPE_INIT_COMPLETE", flush=True)
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.buffer.readline)
            if not line:
                break
            if not line.strip():
                continue
            try:
                doc = await runner.handle(line.decode("utf-8", "replace"))
            except Failure as exc:
                doc = error_doc(exc)
            except Exception as exc:  # the runner's own bug: answer, keep serving
                import traceback

                doc = error_doc(Failure("SystemError", "%s: %s" % (type(exc).__name__, exc),
                                        traceback.format_exc()))
            respond(doc)
    finally:
        await runner.kernels.close()
    return 0


def main(argv):
    parser = argparse.ArgumentParser(prog="pipe", description="lp's notebook runner "
                                     "(the LangServer bin/pipe protocol)")
    parser.add_argument("--output", metavar="DIR", default=os.environ.get("LP_NOTEBOOK_OUTPUT") or None,
                        help="write each run's executed notebook and HTML to DIR/<run id>/ "
                        "(default: $LP_NOTEBOOK_OUTPUT)")
    parser.add_argument("--kernel", choices=("fresh", "reuse"),
                        default=os.environ.get("LP_NOTEBOOK_KERNEL") or "fresh",
                        help="a fresh kernel per request (default), or one reused kernel "
                        "whose namespace is reset (state in modules carries over)")
    args = parser.parse_args(argv)
    try:
        if args.kernel not in ("fresh", "reuse"):
            raise Failure("SystemError", "invalid LP_NOTEBOOK_KERNEL %r: want fresh or reuse"
                          % args.kernel)
        import_jupyter()
    except Failure as exc:
        print("notebook runner: %s" % exc, file=sys.stderr)
        return 1
    # ipykernel's debugger otherwise warns on every kernel start (frozen modules)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return asyncio.run(serve(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
