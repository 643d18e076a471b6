#!/bin/sh
# t0610-snap-errors.sh - every bad input: one line naming the flag, config key or file;
# exit 2 for bad flag values, 1 for bad file contents, 3 for missing files; no output written
. "$LP_TOP/test/cli/lib.sh"
GIT=https://github.com/apache/mxnet.git
SRC="--source $GIT --source-tag 1.9.1"

bad_flag() { # bad_flag "MESSAGE" ARGS...: exit 2, the message, one line plus the hint, no file
	msg=$1; shift
	run "$LP" snap "$@" -o out.yaml; expect_exit 2 "$* exits 2"
	expect_err_contains "lp snap: $msg" "$* names the problem"
	expect_err_lines 2 "$* is one line plus the hint"
	expect_no_file out.yaml "$* writes nothing"
}
# shellcheck disable=SC2086
{
bad_flag "--name: 'MXNet' is not a valid snap name" $SRC --name MXNet
bad_flag "--name: 'a--b' is not a valid snap name: must not contain '--'" $SRC --name a--b
bad_flag "--summary: is 79 characters long, at most 78" $SRC \
	--summary 0123456789012345678901234567890123456789012345678901234567890123456789012345678
bad_flag "--version: '123456789012345678901234567890123' is not a valid snap version: is longer than 32" \
	$SRC --version 123456789012345678901234567890123
bad_flag "--version: '1.9 beta' is not a valid snap version" $SRC --version "1.9 beta"
bad_flag "--base: base 'core18' is not supported" $SRC --base core18
bad_flag "--base: 'jammy' is not one of core20, core22, core24" $SRC --base jammy
bad_flag "--grade: 'beta' is not one of stable, devel" $SRC --grade beta
bad_flag "--confinement: 'loose' is not one of" $SRC --confinement loose
bad_flag "--architecture: 'x86_64' is not one of" $SRC --architecture x86_64
bad_flag "--plug: 'Home' is not a valid interface name" $SRC --plug Home
bad_flag "--app-name: 'my_py' is not a valid app name" $SRC --app-name my_py
bad_flag "--build-system: 'bazel' is not one of cmake, make, autotools" $SRC --build-system bazel
bad_flag "--cmake-arg: needs build system cmake, not 'make'" $SRC --build-system make --cmake-arg -DX=1
bad_flag "--make-arg: needs build system make, not 'cmake'" $SRC --make-arg X=1
bad_flag "--build-package: 'Bad Pkg' is not a Debian package name" $SRC --build-package "Bad Pkg"
bad_flag "--stage-package: 'lib_x' is not a Debian package name" $SRC --stage-package lib_x
bad_flag "--python-subdir: '/abs' is not a relative path" $SRC --python-subdir /abs
bad_flag "--source-tag: '-x' is not a valid git tag" --source "$GIT" --source-tag -x
bad_flag "--version is required when --source has no --source-tag" --source "$GIT"
bad_flag "one of --source or --from-artifact is required" --name mxnet
bad_flag "--from-artifact: cannot be combined with source" $SRC --from-artifact .
bad_flag "--library: unknown library 'torch'" $SRC --library torch
bad_flag "--example: unknown example 'caffe'" --example caffe
}
run "$LP" snap extra-arg; expect_exit 2 "a positional argument is a usage error"
expect_err_contains "unexpected argument 'extra-arg'" "names the stray argument"

bad_file() { # bad_file STATUS "MESSAGE" ARGS...
	st=$1 msg=$2; shift 2
	run "$LP" snap "$@" -o out.yaml; expect_exit "$st" "$* exits $st"
	expect_err_contains "lp: $msg" "$* names the file and problem"
	expect_err_lines 1 "$* is one line"
	expect_no_file out.yaml "$* writes nothing"
}
printf '{"name": "mxnet", "summary": "%s"}' "$(printf '%080d' 0)" >long.json
bad_file 1 "long.json: key 'summary': is 80 characters long, at most 78" --config long.json $SRC
printf '{"python-version": "python2"}' >legacy.json
bad_file 1 "legacy.json: key 'python-version' is a core18 python plugin key" --config legacy.json $SRC
printf '{"requirements": ["requirements.txt"]}' >legacy2.json
bad_file 1 "legacy2.json: key 'requirements' is a core18/core20 python plugin key" --config legacy2.json $SRC
printf '{"nmae": "x"}' >typo.json
bad_file 1 "typo.json: unknown key 'nmae'" --config typo.json $SRC
printf '{"version": 1.10}' >num.json
bad_file 1 "num.json: key 'version': expected a string" --config num.json $SRC
printf '{"name": ' >broken.json
bad_file 1 "broken.json:1:9: invalid JSON: EOF while parsing a value" --config broken.json $SRC
printf '{"name": "x", "grade": "beta", "source": "."}' >cfg.json
bad_file 1 "cfg.json: key 'grade': 'beta' is not one of stable, devel" --config cfg.json --version 1
bad_file 3 "cannot read 'missing.json'" --config missing.json $SRC
bad_file 3 "--from-artifact: 'no-such-dir' is not a directory" --from-artifact no-such-dir

# a broken pulled artifact: the meta file is named
mkdir art && cp "$LP_TOP/test/fixtures/snap/artifact/libmxnet.so" art/
bad_file 3 "cannot read 'art/libmxnet.meta'" --from-artifact art
printf 'commit_id=nothex\nvariant=cpu\nfiles=1\nfile.0.path=libmxnet.so\n' >art/libmxnet.meta
bad_file 1 "'art/libmxnet.meta': commit_id 'nothex' is not a git commit id" --from-artifact art
printf 'commit_id=73b29fa\nvariant=cpu\nfiles=2\nfile.0.path=libmxnet.so\nfile.1.path=licenses/L\n' \
	>art/libmxnet.meta
bad_file 3 "'art/libmxnet.meta': listed file 'art/licenses/L' is missing" --from-artifact art
printf 'commit_id=73b29fa\nvariant=cpu\nvariant=gpu\n' >art/libmxnet.meta
bad_file 1 "art/libmxnet.meta:3: duplicate key 'variant'" --from-artifact art
printf 'commit_id=73b29fa\nvariant=this-variant-name-is-far-too-long\nfiles=1\nfile.0.path=libmxnet.so\n' \
	>art/libmxnet.meta
bad_file 1 "'art/libmxnet.meta': '73b29fa-this-variant-name-is-far-too-long' is not a valid snap version: is longer than 32" \
	--from-artifact art
run "$LP" snap --from-artifact art --version 1.9.1 -o out.yaml; expect_exit 0 "--version overrides the artifact's"

# a failed run leaves an existing output untouched; an unwritable path is an error
echo keep >keep.yaml
run "$LP" snap --name BAD $SRC -o keep.yaml; expect_exit 2 "bad flag with an existing output exits 2"
[ "$(cat keep.yaml)" = keep ]; check $? "the existing output is untouched"
echo file >notadir
run "$LP" snap $SRC -o notadir/snapcraft.yaml; expect_exit 1 "an unwritable output path exits 1"
expect_err_contains "notadir" "names the path"
done_testing
