#!/bin/sh
# t0101-build-template-flags.sh - lp build-template: every flag, usage errors, --check, exit codes (no engine)
. "$LP_TOP/test/cli/lib.sh"
FIX=$LP_TOP/test/fixtures/template/original

mklib() { # DIR NAME [CONFIG]
	mkdir -p "$1/$2"
	printf '#!/bin/sh\nexit 0\n' >"$1/$2/install.sh"
	chmod 755 "$1/$2/install.sh"
	[ $# -lt 3 ] || printf '%s\n' "$3" >"$1/$2/config.json"
}
cat >t.j2 <<'EOF'
uid={{ algo_uid }}
{% for l in libraries %}
lib={{ l.name }}{% for k, v in l.env_variables.items()|sort %} {{ k }}={{ v }}{% endfor %}

{% endfor %}
{% for k, v in labels.items() %}
label {{ k }}={{ v }}
{% endfor %}
EOF
mklib libs a '{"env_variables":{"WHERE":"libs"}}'
mklib libs b '{"requires":["a"],"env_variables":{"MSG":"two words"}}'
mklib other a '{"env_variables":{"WHERE":"other"}}'
export GIT_CEILING_DIRECTORIES=$(dirname "$T")

run "$LP" build-template --help; expect_exit 0 "--help exits 0"
for f in --library --template --tag --output --user_id --user-id --library-path --label --no-build --check; do
	expect_out_contains "$f" "--help documents $f"
done

# -t is required unless --no-build/--check; nothing is written then
run "$LP" build-template -p t.j2 -L libs -l a; expect_exit 2 "missing -t is a usage error"
expect_err_contains "the following arguments are required: -t/--tag" "names -t/--tag like the original"
expect_no_file Dockerfile "no Dockerfile after a usage error"
run "$LP" build-template --no-build extra; expect_exit 2 "a positional argument is a usage error"
run "$LP" build-template --no-build -l; expect_exit 2 "-l without a value is a usage error"

# default output: ./Dockerfile, ending in a newline
run "$LP" build-template --no-build -p t.j2 -L libs -l a -l b -u 4242; expect_exit 0 "--no-build renders"
expect_file Dockerfile "default output is ./Dockerfile"
printf 'uid=4242\nlib=a WHERE=libs\nlib=b MSG="two words"\nlabel io.lp.libraries=a,b\n' >want
expect_same Dockerfile want "uid, install order, quoted ENV value, io.lp.libraries"
[ -z "$(cat "$OUT")" ]; check $? "nothing on stdout with a file output"

# -o - prints; -o FILE writes there
run "$LP" build-template --no-build -p t.j2 -L libs -l b -l a -l a -o - --user-id 7 --label x.y=1 --label z="a b"
expect_exit 1 "requires violation fails"
expect_err_contains "library 'b' requires 'a', which is listed after it" "names both libraries"
run "$LP" build-template --no-build -p t.j2 -L libs -l a -l a -o - --user-id 7 --label x.y=1 --label 'z=a b'
expect_exit 0 "-o - renders to stdout"
printf 'uid=7\nlib=a WHERE=libs\nlib=a WHERE=libs\nlabel io.lp.libraries=a,a\nlabel x.y=1\nlabel z="a b"\n' >want
expect_same "$OUT" want "a library listed twice renders twice; --label in order, quoted"
run "$LP" build-template --no-build -p t.j2 -L libs -l a -o out/D --user_id 0
expect_exit 1 "-o into a missing directory fails"
mkdir out
run "$LP" build-template --no-build -p t.j2 -L libs -l a -o out/D --user_id 0; expect_exit 0 "-o FILE"
grep -qx 'uid=0' out/D; check $? "--user_id 0 is accepted"

# uid: default = caller's, range checked
run "$LP" build-template --no-build -p t.j2 -o -; expect_exit 0 "no -u"
grep -qx "uid=$(id -u)" "$OUT"; check $? "default uid is getuid()"
for bad in -1 abc 2147483648 '' 12x; do
	run "$LP" build-template --no-build -p t.j2 -o - -u "$bad"; expect_exit 2 "-u '$bad' is a usage error"
done
expect_err_contains "is not an integer in 0..2147483647" "-u error names the range"
run "$LP" build-template --no-build -p t.j2 -o - -u 2147483647; expect_exit 0 "-u 2147483647 is accepted"

# library search order: -L, $LP_LIBRARY_PATH, ./libraries
run "$LP" build-template --no-build -p t.j2 -L other -L libs -l a -o -
expect_out_contains "WHERE=other" "first -L wins"
LP_LIBRARY_PATH=/nonexistent:other run "$LP" build-template --no-build -p t.j2 -l a -o -
expect_out_contains "WHERE=other" "LP_LIBRARY_PATH is searched"
LP_LIBRARY_PATH=other run "$LP" build-template --no-build -p t.j2 -L libs -l a -o -
expect_out_contains "WHERE=libs" "-L comes before LP_LIBRARY_PATH"
mkdir -p cwd && mklib cwd/libraries a '{"env_variables":{"WHERE":"cwd"}}'
(cd cwd && run "$LP" build-template --no-build -p ../t.j2 -l a -o - && cat "$OUT" >../cwd.out)
grep -q "WHERE=cwd" cwd.out; check $? "./libraries is searched"
run "$LP" build-template --no-build -p t.j2 -l other/a -o -
expect_out_contains "lib=a WHERE=other" "-l DIR uses the directory, named by its base name"
run "$LP" build-template --no-build -p t.j2 -L libs -l nosuch -o -
expect_exit 3 "unknown library exits 3"
expect_err_contains "library 'nosuch' not found (searched: libs, " "lists the searched dirs"
run "$LP" build-template --no-build -p t.j2 -L libs -l a -l other/a -o -
expect_exit 1 "two libraries with one name"

# bad inputs: one line naming file and key, nothing written, old output untouched
echo keep >Dockerfile
mklib bad e1 '{"env_variables":["A"]}'
run "$LP" build-template --no-build -p t.j2 -L bad -l e1; expect_exit 1 "env_variables as a list"
expect_err_contains "'bad/e1/config.json': invalid config for e1 - env_variables must be a dictionary if specified" "original message, with the file"
expect_err_lines 1 "the error is one line"
mklib bad e2 '{"install_scripts":"x.sh"}'
run "$LP" build-template --no-build -p t.j2 -L bad -l e2; expect_exit 1 "install_scripts not a list"
expect_err_contains "install_scripts must be a list if specified" "install_scripts message"
mklib bad e3 '{"files":"x"}'
run "$LP" build-template --no-build -p t.j2 -L bad -l e3; expect_exit 1 "files not a list"
expect_err_contains "files must be a list if specified." "files message"
mklib bad e4 '{"env_variables":'
run "$LP" build-template --no-build -p t.j2 -L bad -l e4; expect_exit 1 "invalid JSON"
expect_err_contains "bad/e4/config.json:2:0: invalid JSON: EOF while parsing a value" "invalid JSON names the file and place"
mklib bad e6 '{"files": [], "files": ["x"]}'
run "$LP" build-template --no-build -p t.j2 -L bad -l e6; expect_exit 1 "duplicate key"
expect_err_contains "bad/e6/config.json:1:15: invalid JSON: duplicate key 'files'" "a duplicate key is an error naming it"
mklib bad e7 'null'
run "$LP" build-template --no-build -p t.j2 -L bad -l e7; expect_exit 1 "null config"
expect_err_contains "invalid config for e7 - must be a JSON object, not null" "valid JSON of the wrong type says so"
mklib bad e5 '{"install_scripts":["go.sh"]}'
printf '#!/bin/sh\n' >bad/e5/go.sh
run "$LP" build-template --no-build -p t.j2 -L bad -l e5; expect_exit 1 "script without exec bit"
expect_err_contains "'bad/e5/go.sh' is not executable" "names the script"
mklib bad e6 '{"files":["../e5/go.sh"]}'
run "$LP" build-template --no-build -p t.j2 -L bad -l e6; expect_exit 1 "file outside the library"
mklib bad e7 '{"colour":"red"}'
run "$LP" build-template --no-build -p t.j2 -L bad -l e7 -o e7.out; expect_exit 0 "unknown key is not an error"
expect_err_contains "warning: 'bad/e7/config.json': unknown key 'colour' ignored" "unknown key warns"
printf 'uid={{ algo_uid }}\n{{ library.name }}\n' >u.j2
run "$LP" build-template --no-build -p u.j2; expect_exit 1 "unknown template variable"
expect_err_contains "u.j2:2:4: undefined variable 'library'" "template error has file:line:column"
printf '{%% for x in libraries %%}\n' >v.j2
run "$LP" build-template --no-build -p v.j2; expect_exit 1 "unclosed block"
expect_err_contains "v.j2:1:1: unclosed block" "unclosed block position"
run "$LP" build-template --no-build -p missing.j2; expect_exit 3 "missing template exits 3"
run "$LP" build-template --no-build -p t.j2 --label novalue; expect_exit 2 "--label without ="
run "$LP" build-template --no-build -p t.j2 --label 'a b=c'; expect_exit 2 "--label with a bad key"
echo keep >want
expect_same Dockerfile want "failed runs left the old Dockerfile alone"

# --check
run "$LP" build-template --no-build -p t.j2 -L libs -l a -o checked; expect_exit 0 "render for --check"
run "$LP" build-template --check -p t.j2 -L libs -l a -o checked; expect_exit 0 "--check: up to date"
run "$LP" build-template --check -p t.j2 -L libs -l a -l b -o checked; expect_exit 1 "--check: out of date"
expect_out_contains "+lib=b MSG=\"two words\"" "--check shows a diff"
expect_err_contains "'checked' differs" "--check says which file"
run "$LP" build-template --check -p t.j2 -o nosuch; expect_exit 3 "--check of a missing file"
run "$LP" build-template --check -p t.j2 -o -; expect_exit 2 "--check needs a file"

# the revision label comes from the git repository lp runs in
mkdir repo && (cd repo && git init -q && git -c user.name=t -c user.email=t@e commit -q --allow-empty -m x)
head=$(git -C repo rev-parse HEAD)
(cd repo && "$LP" build-template --no-build -p ../t.j2 -o -) >rev.out
grep -qx "label org.opencontainers.image.revision=$head" rev.out; check $? "revision label is HEAD"
grep -q "org.opencontainers" Dockerfile; [ $? -ne 0 ]; check $? "no revision label outside a repository"

# the original template and the README example: the golden file plus a final newline
cp "$FIX/Dockerfile.j2" orig.j2
run "$LP" build-template --no-build -p orig.j2 -L "$FIX/libraries" -u 1001 -l gpu-driver -l python2 -l caffe -o Dockerfile.python2-advanced
expect_exit 0 "original template renders"
{ cat "$FIX/python2-advanced.expected"; echo; } >want
expect_same Dockerfile.python2-advanced want "README example byte for byte (plus the newline)"
"$LP" build-template --no-build -p orig.j2 -L "$FIX/libraries" -u 1001 -l gpu-driver -l python2 -l caffe -o again
expect_same again Dockerfile.python2-advanced "output is deterministic"
done_testing
