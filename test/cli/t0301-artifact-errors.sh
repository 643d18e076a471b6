#!/bin/sh
# t0301-artifact-errors.sh - refusals, exit codes, corrupt stores, usage errors
. "$LP_TOP/test/cli/lib.sh"

SHA=abc123
mkdir -p lib licenses
printf 'library v1\n' >lib/libmxnet.so
echo "License" >licenses/LICENSE
echo "Notice" >licenses/NOTICE
unset MXNET_SHA GIT_COMMIT LP_ARTIFACT_REPOSITORY ARTIFACT_REPOSITORY_BUCKET
R="--repository $T/store"
C="--git-sha $SHA --os linux --variant cpu"
P="$T/store/$SHA/linux/cpu/static"

run "$LP" artifact push --static $C $R --libmxnet lib/libmxnet.so --licenses licenses/LICENSE licenses/NOTICE
expect_exit 0 "first push"
printf 'library v2\n' >lib/libmxnet.so
run "$LP" artifact push --static $C $R --libmxnet lib/libmxnet.so --licenses licenses/LICENSE
expect_exit 4 "existing artifact: exit 4"
expect_err_contains "already exists" "says it exists"
expect_err_contains "--force" "points at --force"
grep -q 'library v1' "$P/libmxnet.so"; check $? "refused push changed nothing"
run "$LP" artifact push --static $C $R --libmxnet lib/libmxnet.so --licenses licenses/LICENSE --force
expect_exit 0 "--force replaces"
grep -q 'library v2' "$P/libmxnet.so"; check $? "new library stored"
expect_no_file "$P/licenses/NOTICE" "stale license removed by the forced push"

run "$LP" artifact pull --static $R --git-sha $SHA --os linux --variant cu102 dist
expect_exit 3 "missing artifact: exit 3"
expect_err_contains "commit abc123 has: linux/cpu/static" "lists what exists for the commit"
expect_no_file dist "no destination created"
run "$LP" artifact pull --static $R --git-sha $SHA --os linux --variant cu102 --json dist
expect_exit 3 "missing artifact with --json: exit 3"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert not d["ok"] and d["error"]["code"]=="not found" and d["available"]==["linux/cpu/static"], d' "$OUT"
check $? "--json describes the miss: error and what is available"
expect_err_contains "lp: no artifact" "the error line still goes to stderr"
run "$LP" artifact pull --static $C $R --dry-run dist
expect_exit 0 "pull --dry-run"
expect_out_contains "would pull 2 files" "dry run lists the files"
expect_out_contains "$SHA/linux/cpu/static/libmxnet.so" "dry run lists keys"
expect_no_file dist "pull --dry-run writes nothing"
run "$LP" artifact pull --static $C --repository s3://not-contacted --explain
expect_exit 0 "pull --explain needs no repository access"
expect_out_contains "repository  s3://not-contacted  flag --repository" "explain names the repository source"
run "$LP" artifact push --static $C $R --libmxnet lib/libmxnet.so --licenses licenses/LICENSE licenses/NOTICE --dry-run
expect_exit 4 "push --dry-run still reports an existing artifact with other content"
expect_err_contains "the published one" "says what differs"
run "$LP" artifact push --static $C $R --libmxnet lib/libmxnet.so --licenses licenses/LICENSE --dry-run
expect_exit 0 "push --dry-run of the identical files: exit 0"

# same size, different content: the sha256 catches it and nothing is left behind
printf 'library v3\n' >"$P/libmxnet.so"
run "$LP" artifact pull --static $C $R dist
expect_exit 1 "corrupt object: exit 1"
expect_err_contains "is corrupt: sha256" "names the corruption"
expect_no_file dist "failed pull leaves no destination"
mkdir keep && echo mine >keep/own
run "$LP" artifact pull --static $C $R keep
expect_exit 1 "corrupt object into an existing dir"
[ "$(ls -A keep)" = own ]; check $? "existing destination untouched, no partial files"

rm "$P/libmxnet.meta"
run "$LP" artifact pull --static $C $R dist
expect_exit 3 "incomplete artifact: exit 3"
expect_err_contains "incomplete artifact" "says incomplete"

run "$LP" artifact push --static $C --repository "$T/s2" --libmxnet lib/libmxnet.so --licenses licenses/MISSING --strict
expect_exit 1 "missing license with --strict: exit 1"
expect_err_contains "'licenses/MISSING' does not exist" "names the missing license"
expect_err_lines 1 "one error line"
expect_no_file "$T/s2" "nothing pushed"
run "$LP" artifact push --static $C --repository "$T/s2" --libmxnet lib/libmxnet.so --licenses licenses/MISSING
expect_exit 1 "without --strict it is skipped, and then no license is left: exit 1"
expect_err_contains "warning: --licenses: skipping 'licenses/MISSING': no such file" "names the skipped license"
expect_err_contains "no license files: pass at least one that exists" "says none is left"
expect_no_file "$T/s2" "nothing pushed"
run "$LP" artifact push --static --git-sha $SHA --os linux --repository "$T/s2" --libmxnet lib/nope.so --licenses licenses/LICENSE
expect_exit 1 "missing --libmxnet file without --variant: exit 1"
expect_err_contains "--libmxnet: 'lib/nope.so' does not exist" "names the missing library, not the probe"
run "$LP" artifact push --static $C --repository "$T/s2" --libmxnet lib/libmxnet.so
expect_exit 2 "no --licenses: a usage error, as no --libmxnet is"
expect_err_contains "--licenses is required (at least one" "asks for a license"
mkdir other && echo x >other/LICENSE
run "$LP" artifact push --static $C --repository "$T/s2" --libmxnet lib/libmxnet.so --licenses licenses/LICENSE other/LICENSE
expect_exit 1 "basename collision: exit 1"
expect_err_contains "would both be stored as 'licenses/LICENSE'" "names the collision"
run "$LP" artifact push --static --git-sha $SHA --os be/os --variant cpu $R --libmxnet lib/libmxnet.so --licenses licenses/LICENSE
expect_exit 2 "bad coordinate flag value: exit 2"
expect_err_contains "--os: 'be/os' is not valid" "names the flag and the bad value"
run "$LP" artifact pull --static --git-sha $SHA --os linux --variant 'cu102 ' $R dist
expect_exit 2 "a variant with a trailing space is a bad flag value: exit 2"
expect_err_contains "--variant: 'cu102 ' is not valid" "names --variant"
run env MXNET_SHA='be/sha' "$LP" artifact push --static --os linux --variant cpu $R --libmxnet lib/libmxnet.so --licenses licenses/LICENSE
expect_exit 1 "a bad coordinate from the environment is an error, not a usage error"
expect_err_contains "invalid commit id 'be/sha' (from env MXNET_SHA)" "names the variable"
run "$LP" artifact push --static --os linux --variant cpu $R --libmxnet lib/libmxnet.so --licenses licenses/LICENSE
expect_exit 1 "no commit outside git: exit 1"
expect_err_contains "pass --git-sha" "says which flag to pass"

# usage errors: exit 2
for args in "push $C --libmxnet lib/libmxnet.so --licenses licenses/LICENSE" \
	"push --static --dynamic $C --libmxnet x --licenses y" \
	"push --libtype bogus $C" \
	"pull --static --git-sha $SHA --os linux dist" \
	"pull --static $C a b" \
	"pull --static $C --destination a b" \
	"push --static $C --licenses y" \
	"pull --static $C --libmxnet x" \
	"push --static $C extra --libmxnet x --licenses y" \
	"push --static $C --concurrency 0 --libmxnet x --licenses y" \
	"push --static $C --part-size 5Q --libmxnet x --licenses y" \
	"frobnicate" ""; do
	# shellcheck disable=SC2086
	run "$LP" artifact $args; expect_exit 2 "usage error: lp artifact $args"
	expect_err_contains "see 'lp artifact" "usage error points at help: $args"
done
run "$LP" artifact push --help; expect_exit 0 "push --help"
expect_out_contains "--endpoint-url" "help lists the S3 flags"
done_testing
