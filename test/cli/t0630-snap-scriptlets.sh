#!/bin/sh
# t0630-snap-scriptlets.sh - the shell scriptlets lp snap emits run as intended under a real
# sh, make and GNU sed: the make override-build (argument quoting, install path) and the
# core24 override-pull numpy patch
. "$LP_TOP/test/cli/lib.sh"
G=$LP_TOP/test/fixtures/snap
# scriptlet FILE PART KEY: print parts.PART.KEY of a recipe
scriptlet() {
	/usr/bin/python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["parts"][sys.argv[2]][sys.argv[3]], end="")' "$@"
}
# craftctl exists only inside snapcraft's build environment: this stand-in records the call
mkdir bin && printf '#!/bin/sh\necho "$*" >>"%s/craftctl.log"\n' "$T" >bin/craftctl && chmod +x bin/craftctl
PATH=$T/bin:$PATH

# every scriptlet in every golden is valid sh
for f in "$G"/*.yaml; do
	/usr/bin/python3 -c 'import sys, yaml
for p in yaml.safe_load(open(sys.argv[1]))["parts"].values():
    for k, v in p.items():
        if k.startswith("override-"): print(v)' "$f" >s.sh
	sh -n s.sh; check $? "$(basename "$f"): scriptlets parse as sh"
done

# make: arguments with blanks and quotes reach make intact; the library lands in usr/lib
run "$LP" snap --source . --version 1 --build-system make --make-arg "CFLAGS=-O2 -g" \
	--make-arg "X=it's" -o make.yaml
expect_exit 0 "make recipe written"
scriptlet make.yaml libmxnet override-build >build.sh
mkdir -p src/lib inst && cd src || exit 1
printf 'all:\n\t@echo "CFLAGS=[$(CFLAGS)] X=[$(X)] BLAS=[$(USE_BLAS)]" >../make.log\n\t@echo so >lib/libmxnet.so\n' >Makefile
CRAFT_PARALLEL_BUILD_COUNT=2 CRAFT_PART_INSTALL=$T/inst sh -eu ../build.sh; check $? "override-build runs"
cd .. || exit 1
[ "$(cat make.log)" = "CFLAGS=[-O2 -g] X=[it's] BLAS=[openblas]" ]; check $? "make gets lp's and the user's arguments verbatim ($(cat make.log))"
[ -x inst/usr/lib/libmxnet.so ]; check $? "libmxnet.so installed to \$CRAFT_PART_INSTALL/usr/lib"

# core24: the override-pull patch removes the numpy aliases and nothing else
scriptlet "$G/source-core24.yaml" mxnet-python override-pull >pull.sh
mkdir -p tree/python/mxnet && cd tree || exit 1
cat >python/mxnet/base.py <<'PY'
a = np.bool
b = _np.int(3) + onp.bool(1)
c = np.bool_ + np.int32 + np.integer + mynp.bool + np.boolean + mx.np.bool
d = (np.int,np.bool)
PY
cat >expected.py <<'PY'
a = bool
b = int(3) + bool(1)
c = np.bool_ + np.int32 + np.integer + mynp.bool + np.boolean + mx.np.bool
d = (int,bool)
PY
sh -eu ../pull.sh; check $? "override-pull runs"
expect_same python/mxnet/base.py expected.py "np.bool/np.int aliases replaced, np.bool_/np.int32 kept"
cd .. || exit 1
grep -qx default craftctl.log; check $? "override-pull runs 'craftctl default' first"
done_testing
