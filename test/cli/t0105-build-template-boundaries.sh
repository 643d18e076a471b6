#!/bin/sh
# t0105-build-template-boundaries.sh - hostile templates and configs: errors, never a crash or a hang
. "$LP_TOP/test/cli/lib.sh"
export GIT_CEILING_DIRECTORIES=$(dirname "$T")

# 26,000 nested ifs (about 600 KB): build-template crashed on the stack
python3 -c 'import sys; n = 26000; sys.stdout.write("{% if algo_uid %}" * n + "x" + "{% endif %}" * n)' >ifs.j2
run "$LP" build-template --no-build -p ifs.j2 -o out1; expect_exit 1 "26,000 nested ifs: an error"
expect_err_contains "ifs.j2:1:1701: blocks nested deeper than 100 levels" "... naming the file, line and column"
expect_no_file out1 "no output written"
python3 -c 'import sys; n = 23000; sys.stdout.write("{{ " + "(" * n + "algo_uid" + ")" * n + " }}")' >parens.j2
run "$LP" build-template --no-build -p parens.j2 -o out2; expect_exit 1 "23,000 parentheses: an error"
expect_err_contains "parens.j2:1:104: expression nested deeper than 100 levels" "... naming the place"
expect_no_file out2 "no output written"

# a library whose config.json is strict JSON only, duplicates and nesting included
mkdir -p libs/deep
printf '#!/bin/sh\n' >libs/deep/install.sh && chmod 755 libs/deep/install.sh
python3 -c 'import sys; sys.stdout.write("{\"files\": " + "[" * 200 + "]" * 200 + "}")' >libs/deep/config.json
printf 'FROM scratch\n' >t.j2
run "$LP" build-template --no-build -p t.j2 -L libs -l deep -o out3; expect_exit 1 "200 nested arrays: an error"
expect_err_contains "libs/deep/config.json:1:138: invalid JSON: recursion limit exceeded" "... at the 129th level"
expect_no_file out3 "no output written"
done_testing
