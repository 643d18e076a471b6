#!/usr/bin/python3
# snap-conformance.py - check snapcraft.yaml files against snapcraft's schema and rules
# SPDX-License-Identifier: MIT
#
#   test/snap-conformance.py [--reference DIR] FILE...
#
# Two layers:
#   1. schema: the YAML is loaded rejecting duplicate keys (as snapcraft does),
#      then validated against the $defs model for its base in
#      DIR/snapcraft.schema.json (Core22Project, Core24Project, Core26Project)
#      with Draft202012Validator, or for core20/core18 against
#      DIR/snapcraft-legacy.schema.json with Draft4Validator.
#   2. the rules that schema leaves to snapcraft's and craft-parts' code:
#      name/version/summary/description, app names and command charsets,
#      architectures/platforms, part keys per plugin and base, sources, `after`
#      references and cycles, scriptlet control per base, build-environment
#      shapes, content plugs, plus lp's own policy (no MXNET_HOME under $SNAP).
#
# The schemas are GPL-3.0 data from canonical/snapcraft and stay outside this
# repository: DIR defaults to $LP_SNAP_REFERENCE, else the CI checkout's copy
# next to this repository (<repo>/../shared/reference).
# Exit: 0 all valid, 1 some file invalid, 2 usage or unreadable input,
# 77 skipped because DIR does not exist (a clone outside CI): a visible "SKIP"
# line says so.
import json
import os
import re
import sys

import jsonschema
import yaml

ARCHES = {"amd64", "arm64", "armhf", "ppc64el", "riscv64", "s390x"}
NAME_RE = re.compile(r"^[a-z0-9-]{1,40}$")
VERSION_RE = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9:.+~-]*[a-zA-Z0-9+~])?$")
APP_NAME_RE = re.compile(r"^[a-zA-Z0-9](?:-?[a-zA-Z0-9])*$")
COMMAND_RE = re.compile(r"^[A-Za-z0-9/. _#:$-]*$")
CHAIN_RE = re.compile(r"^[A-Za-z0-9/._#:$-]*$")
PART_NAME_RE = re.compile(r"^(?!plugins$)[a-z0-9][a-z0-9+_.-]*$")

# craft-parts 2.35 PartSpec (core22+) and snapcraft 7.5.9 v2 (core20) common keys
COMMON_KEYS = {
    "plugin", "source", "source-type", "source-checksum", "source-branch", "source-tag",
    "source-commit", "source-depth", "source-subdir", "source-submodules", "source-channel",
    "build-packages", "stage-packages", "build-snaps", "stage-snaps", "after",
    "disable-parallel", "build-environment", "build-attributes", "organize", "stage", "prime",
    "permissions", "override-pull", "override-build", "override-stage", "override-prime",
    "overlay-packages", "overlay-recommended-packages", "overlay", "overlay-script",
    "override-overlay", "parse-info",
}
COMMON_KEYS_CORE20 = {
    "plugin", "source", "source-type", "source-checksum", "source-branch", "source-tag",
    "source-commit", "source-depth", "source-subdir", "build-packages", "stage-packages",
    "build-snaps", "stage-snaps", "after", "build-environment", "build-attributes", "organize",
    "filesets", "stage", "prime", "override-pull", "override-build", "override-stage",
    "override-prime", "parse-info",
}
# plugin -> its keys; None: plugin known, its keys not tabled (only the prefix rule applies)
PLUGINS = {
    "make": {"make-parameters"},
    "cmake": {"cmake-parameters", "cmake-generator"},
    "autotools": {"autotools-configure-parameters", "autotools-bootstrap-parameters"},
    "python": {"python-requirements", "python-constraints", "python-packages"},
    "meson": {"meson-parameters"},
    "dump": set(),
    "nil": set(),
}
for _p in ("ant", "bazel", "cargo-use", "dotnet", "go", "go-use", "gradle", "gradle-use",
           "jlink", "maven", "maven-use", "npm", "npm-use", "poetry", "qmake", "ruby", "rust",
           "scons", "uv", "colcon", "conda", "flutter", "kernel", "initrd"):
    PLUGINS[_p] = None
PLUGINS_CORE20 = {
    "make": {"make-parameters"},
    "cmake": {"cmake-parameters", "cmake-generator"},
    "autotools": {"autotools-configure-parameters"},
    "python": {"requirements", "constraints", "python-packages"},
    "meson": {"meson-parameters", "meson-version"},
    "dump": set(),
    "nil": set(),
}
for _p in ("catkin", "catkin-tools", "colcon", "conda", "crystal", "go", "kernel", "npm",
           "qmake", "rust", "scons"):
    PLUGINS_CORE20[_p] = None
REMOVED_HINTS = {
    "prepare": "snapcraft 2.x scriptlet, use override-build",
    "build": "snapcraft 2.x scriptlet, use override-build",
    "install": "snapcraft 2.x scriptlet, use override-build",
    "snap": "renamed to prime",
    "python-version": "core18 python key; core20+ use the base's python3",
    "requirements": "core20 python key; core22+ uses python-requirements",
    "constraints": "core20 python key; core22+ uses python-constraints",
    "configflags": "core18 key; use cmake-parameters/autotools-configure-parameters",
    "make-install-var": "core18 make key; core20+ uses make-parameters",
    "filesets": "removed in core22",
}
LIST_KEYS = ("build-packages", "stage-packages", "build-snaps", "stage-snaps", "after",
             "stage", "prime", "build-attributes")


class DupKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys, as snapcraft does."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for knode, _ in node.value:
        key = loader.construct_object(knode, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, "duplicate key %r" % (key,), knode.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


DupKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _path(p):
    return "/".join(str(x) for x in p) or "<top>"


def _deepest(err):
    """Follow anyOf/oneOf failures down to the most specific message."""
    best = jsonschema.exceptions.best_match([err])
    while best.context:
        # skip pydantic's "or null" branches
        ctx = [e for e in best.context if not (e.validator == "type" and e.validator_value == "null")]
        if not ctx:
            break
        best = jsonschema.exceptions.best_match(ctx)
    return best


def schema_errors(doc, base, ref):
    errs = []
    if base in ("core22", "core24", "core26", "devel"):
        with open(os.path.join(ref, "snapcraft.schema.json")) as f:
            schema = json.load(f)
        model = {"core22": "Core22Project", "core24": "Core24Project",
                 "core26": "Core26Project", "devel": "DevelBaseProject"}[base]
        sub = {"$defs": schema["$defs"], "$ref": "#/$defs/" + model}
        validator = jsonschema.Draft202012Validator(sub)
    elif base in ("core18", "core20"):
        with open(os.path.join(ref, "snapcraft-legacy.schema.json")) as f:
            schema = json.load(f)
        validator = jsonschema.Draft4Validator(schema)
    elif base is None or base == "core":
        return ["base: missing or 'core': only snapcraft <= 4.x builds such a project"]
    else:
        return ["base: unknown base %r" % (base,)]
    for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        d = _deepest(e)
        msg = "%s: %s" % (_path(d.absolute_path), d.message)
        if d.validator == "additionalProperties" and "architectures" in d.message and base != "core22":
            msg += " (core24+ uses platforms)"
        if "version" in list(d.absolute_path) and isinstance(doc.get("version"), (int, float)):
            msg += " (quote the version: an unquoted number is not a string)"
        errs.append(msg)
    return errs


def _strlist(v):
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def rule_errors(doc, base):
    errs = []
    core20 = base in ("core18", "core20")
    # name, version, summary, description (snapcraft's model validators)
    name = doc.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name) or not re.search("[a-z]", name) \
            or name.startswith("-") or name.endswith("-") or "--" in name:
        errs.append("name: %r is not a valid snap name" % (name,))
    adopt = "adopt-info" in doc
    for key in ("version", "summary", "description"):
        if key not in doc and not adopt:
            errs.append("%s: required (no adopt-info)" % key)
    v = doc.get("version")
    if v is not None and (not isinstance(v, str) or len(v) > 32 or not VERSION_RE.match(v)):
        errs.append("version: %r is not a valid snap version (quoted string, <= 32, pattern)" % (v,))
    s = doc.get("summary")
    if s is not None and (not isinstance(s, str) or len(s) > 78 or "\n" in s):
        errs.append("summary: must be one line of at most 78 characters")
    d = doc.get("description")
    if d is not None and (not isinstance(d, str) or not d.strip()):
        errs.append("description: must be a non-empty string")
    if doc.get("build-base") == "devel" and doc.get("grade") != "devel":
        errs.append("grade: must be devel with build-base: devel")
    # architectures (core22) / platforms (core24+)
    for a in doc.get("architectures") or []:
        names = [a] if isinstance(a, str) else []
        if isinstance(a, dict):
            for k in ("build-on", "build-for", "run-on"):
                x = a.get(k, [])
                names += [x] if isinstance(x, str) else list(x)
        for n in names:
            if n not in ARCHES and n != "all":
                errs.append("architectures: unknown architecture %r" % (n,))
    for label, p in (doc.get("platforms") or {}).items():
        bf = (p or {}).get("build-for")
        bf = [bf] if isinstance(bf, str) else bf
        if bf is None and label not in ARCHES:
            errs.append("platforms: label %r is not an architecture and has no build-for" % label)
        if bf and label in ARCHES and bf != [label]:
            errs.append("platforms: %r builds for %r" % (label, bf))
        for n in list((p or {}).get("build-on") or []) + list(bf or []):
            if n not in ARCHES and n != "all":
                errs.append("platforms: %r: unknown architecture %r" % (label, n))
    # apps
    for app, spec in (doc.get("apps") or {}).items():
        if not APP_NAME_RE.match(str(app)):
            errs.append("apps: %r is not a valid app name" % (app,))
        if not isinstance(spec, dict):
            continue
        for key in ("command", "stop-command", "post-stop-command", "reload-command", "bus-name"):
            c = spec.get(key)
            if isinstance(c, str) and not COMMAND_RE.match(c):
                errs.append("apps.%s.%s: %r has characters outside [A-Za-z0-9/. _#:$-] "
                            "(use $SNAP, not ${SNAP}; wrapper logic goes in command-chain)"
                            % (app, key, c))
        for c in spec.get("command-chain") or []:
            if not isinstance(c, str) or not CHAIN_RE.match(c):
                errs.append("apps.%s.command-chain: %r is not a valid path" % (app, c))
        for k, val in (spec.get("environment") or {}).items():
            if k == "MXNET_HOME" and isinstance(val, str) and val.startswith("$SNAP") \
                    and not val.startswith(("$SNAP_USER", "$SNAP_COMMON", "$SNAP_DATA")):
                errs.append("apps.%s.environment.MXNET_HOME: points into the read-only snap "
                            "(lp policy: leave it unset)" % app)
    # content plugs
    for pname, plug in (doc.get("plugs") or {}).items():
        if isinstance(plug, dict) and plug.get("interface") == "content":
            if "target" not in plug:
                errs.append("plugs.%s: content plug needs a target" % pname)
            dp = plug.get("default-provider")
            if isinstance(dp, str) and "/" in dp:
                errs.append("plugs.%s: default-provider must not name a channel" % pname)
    # parts
    parts = doc.get("parts") or {}
    plugins = PLUGINS_CORE20 if core20 else PLUGINS
    common = COMMON_KEYS_CORE20 if core20 else COMMON_KEYS
    for pname, part in parts.items():
        where = "parts.%s" % pname
        if base == "core26" and "/" in pname:
            errs.append("%s: part names may not contain '/' on core26" % where)
        if not isinstance(part, dict):
            errs.append("%s: not a mapping" % where)
            continue
        plugin = part.get("plugin", pname)
        if plugin not in plugins:
            errs.append("%s: unknown plugin %r for %s" % (where, plugin, base))
            continue
        table = plugins[plugin]
        for key in part:
            if key in common:
                continue
            if key.startswith(plugin + "-") and (table is None or key in table):
                continue
            hint = REMOVED_HINTS.get(key)
            if core20 and key.startswith("python-") and key != "python-packages":
                hint = "core22 python key; core20 uses requirements/constraints"
            if core20 and key in ("requirements", "constraints") and plugin == "python":
                continue
            errs.append("%s: key %r is not valid for plugin %r on %s%s"
                        % (where, key, plugin, base, " (%s)" % hint if hint else ""))
        if plugin != "nil" and "source" not in part:
            errs.append("%s: plugin %r needs a source" % (where, plugin))
        refs = [k for k in ("source-tag", "source-branch", "source-commit") if k in part]
        if len(refs) > 1:
            errs.append("%s: %s are mutually exclusive" % (where, " and ".join(refs)))
        if refs and part.get("source-type") not in (None, "git"):
            errs.append("%s: %s needs a git source, not source-type %r"
                        % (where, refs[0], part.get("source-type")))
        if refs and part.get("source-type") is None and isinstance(part.get("source"), str) \
                and "://" not in part["source"] and not part["source"].startswith("git@") \
                and not part["source"].endswith(".git"):
            errs.append("%s: %s on a local directory needs source-type: git" % (where, refs[0]))
        for k in LIST_KEYS:
            if k in part and not _strlist(part[k]):
                errs.append("%s.%s: must be a list of strings" % (where, k))
        for k in ("cmake-parameters", "make-parameters", "autotools-configure-parameters",
                  "python-packages", "python-requirements", "python-constraints"):
            if k in part and not _strlist(part[k]):
                errs.append("%s.%s: must be a list of strings" % (where, k))
        org = part.get("organize")
        if org is not None and not (isinstance(org, dict) and
                                    all(isinstance(a, str) and isinstance(b, str)
                                        for a, b in org.items())):
            errs.append("%s.organize: must map paths to paths" % where)
        be = part.get("build-environment")
        if be is not None and not (isinstance(be, list) and all(
                isinstance(e, dict) and len(e) == 1 and all(isinstance(x, str) for x in e.values())
                for e in be)):
            errs.append("%s.build-environment: must be a list of one-entry maps of strings" % where)
        for a in part.get("after") or []:
            if a not in parts or a == pname:
                errs.append("%s.after: %r is not another part" % (where, a))
        for k in ("override-pull", "override-build", "override-stage", "override-prime"):
            script = part.get(k)
            if not isinstance(script, str):
                continue
            if core20 and re.search(r"(?<!snap)craftctl", script):
                errs.append("%s.%s: craftctl does not exist on %s (use snapcraftctl)" % (where, k, base))
            if base in ("core24", "core26", "devel") and "snapcraftctl" in script:
                errs.append("%s.%s: snapcraftctl is not supported on %s (use craftctl)" % (where, k, base))
    # after cycles
    state = {}

    def visit(p):
        if state.get(p) == 1:
            return True
        if state.get(p) == 2 or not isinstance(parts.get(p), dict):
            return False
        state[p] = 1
        for a in parts[p].get("after") or []:
            if a in parts and visit(a):
                return True
        state[p] = 2
        return False

    for p in parts:
        if visit(p):
            errs.append("parts.%s.after: forms a cycle" % p)
            break
    # deprecated variables on core24+
    if base in ("core24", "core26", "devel"):
        text = json.dumps(doc)
        if re.search(r"CRAFT_ARCH_TRIPLET(?!_BUILD_)", text) or re.search(r"CRAFT_TARGET_ARCH", text):
            errs.append("CRAFT_ARCH_TRIPLET/CRAFT_TARGET_ARCH are deprecated on %s "
                        "(use CRAFT_ARCH_TRIPLET_BUILD_FOR/CRAFT_ARCH_BUILD_FOR)" % base)
    return errs


def check_file(path, ref):
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.load(f, Loader=DupKeyLoader)
    except OSError as e:
        print("%s: cannot read: %s" % (path, e.strerror))
        return 2
    except yaml.YAMLError as e:
        print("%s: invalid YAML: %s" % (path, str(e).replace("\n", " ")))
        return 1
    if not isinstance(doc, dict):
        print("%s: not a YAML mapping" % path)
        return 1
    base = doc.get("base", doc.get("build-base"))
    errs = schema_errors(doc, base, ref)
    if base in ("core18", "core20"):
        print("%s: warning: %s is only built by snapcraft %s" % (path, base,
              "7.x" if base == "core18" else "<= 8.x"))
    errs += rule_errors(doc, base)
    for e in errs:
        print("%s: %s" % (path, e))
    if errs:
        return 1
    print("%s: ok (%s)" % (path, base))
    return 0


def main(argv):
    args = argv[1:]
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ref = os.environ.get("LP_SNAP_REFERENCE") or os.path.join(os.path.dirname(top), "shared",
                                                              "reference")
    if args[:1] == ["--reference"] and len(args) >= 2:
        ref, args = args[1], args[2:]
    if not args or args[0].startswith("-"):
        print("usage: snap-conformance.py [--reference DIR] FILE...", file=sys.stderr)
        return 2
    if not os.path.isdir(ref):
        print("SKIP: snapcraft schemas not found at %s (a clone outside CI): "
              "conformance not checked" % ref)
        return 77
    worst = 0
    for path in args:
        worst = max(worst, check_file(path, ref))
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv))
