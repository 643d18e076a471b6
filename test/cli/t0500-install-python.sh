#!/bin/sh
# t0500-install-python.sh - Python: local wheel in vendor/, --offline pip, installed bin/pipe answers
. "$LP_TOP/test/cli/lib.sh"
FX=$LP_TOP/test/fixtures/algorithms
T=$(pwd -P)

cp -R "$FX/python" alg
# no PyPI here: the dependency is a wheel made on the spot
python3 "$FX/make-wheel.py" alg/vendor lptiny 0.1 'def greet(name):
    return "hello " + name
' >/dev/null
check $? "built a local wheel"

run "$LP" install-dependencies -C alg --offline --dry-run; expect_exit 0 "dry-run exits 0"
expect_out_contains "cd $T/alg && python3 -m pip install --disable-pip-version-check --no-input --upgrade --target $T/alg/dependencies --no-index --find-links $T/alg/vendor -r requirements.txt" "dry-run prints the exact pip command"
expect_no_file alg/dependencies "dry-run installs nothing"

PYTHON_INDEX_URL=http://m/simple run "$LP" install-dependencies -C alg --dry-run
expect_out_contains "--target $T/alg/dependencies -i http://m/simple -r requirements.txt" "PYTHON_INDEX_URL adds -i"
PYTHON_INDEX_URL= run "$LP" install-dependencies -C alg --dry-run
if grep -q -- ' -i ' "$OUT"; then not_ok "no -i without PYTHON_INDEX_URL"; else ok "no -i without PYTHON_INDEX_URL"; fi

run "$LP" install-dependencies -C alg --offline; expect_exit 0 "offline pip install from vendor/"
expect_file alg/dependencies/lptiny.py "the wheel landed in dependencies/"
run "$LP" install-dependencies -C alg --offline; expect_exit 0 "re-running install-dependencies is safe"

run "$LP" install-algorithm -C alg --prefix "$T/opt" --dry-run; expect_exit 0 "install dry-run exits 0"
expect_out_contains "runner " "dry-run names the runner"
expect_no_file opt "install dry-run writes nothing"

run "$LP" install-algorithm -C alg --prefix "$T/opt"; expect_exit 0 "install-algorithm into a prefix"
for f in algorithmia.conf src/hello.py dependencies/lptiny.py bin/pipe bin/pipe.py; do
	expect_file "opt/$f" "installed $f"
done
if [ -x opt/bin/pipe ]; then ok "bin/pipe is executable"; else not_ok "bin/pipe is executable"; fi
expect_no_file opt/vendor "vendor/ (offline wheels) is not installed"
(cd opt && find . | sort) >first.lst

# the pipe protocol, as the LangServer drives it: stdin line in, JSON out on the FIFO
python3 "$FX/pipe-client.py" "$T/opt/bin/pipe" "$T/algoout" \
	'{"content_type":"text","data":"Jane"}' '{"content_type":"json","data":{"b":[1,2]}}' >responses 2>pipe.err
check $? "bin/pipe exits 0 at EOF"
printf '%s\n' '{"metadata":{"content_type":"text"},"result":"hello Jane"}' \
	'{"metadata":{"content_type":"json"},"result":{"echo":{"b":[1,2]}}}' >expected
expect_same responses expected "bin/pipe answers through the output FIFO"

run "$LP" install-algorithm -C alg --prefix "$T/opt"; expect_exit 0 "re-running install-algorithm is safe"
(cd opt && find . | sort) >second.lst
expect_same first.lst second.lst "a second install gives the same tree"

# no algorithmia.conf: none is made up; the runner takes the one src/*.py file,
# or ALGORITHMIA_ALGORITHM_NAME (as upstream's Java runner does) when there are several
mkdir -p noconf/src
printf 'def apply(x):\n    return "bare " + x\n' >noconf/src/bare.py
: >noconf/requirements.txt
run "$LP" install-algorithm -C noconf --prefix "$T/noconfopt"; expect_exit 0 "install without algorithmia.conf"
expect_no_file noconfopt/algorithmia.conf "no algorithmia.conf is written"
python3 "$FX/pipe-client.py" "$T/noconfopt/bin/pipe" "$T/algoout" '{"content_type":"text","data":"Jane"}' >responses 2>pipe.err
echo '{"metadata":{"content_type":"text"},"result":"bare Jane"}' >expected
expect_same responses expected "the runner finds the one src/ file"
printf 'def apply(x):\n    return "other " + x\n' >noconf/src/other.py
run "$LP" install-algorithm -C noconf --prefix "$T/noconfopt"; expect_exit 0 "reinstall with two sources"
python3 "$FX/pipe-client.py" "$T/noconfopt/bin/pipe" "$T/algoout" '{"content_type":"text","data":"Jane"}' >responses 2>pipe.err
[ $? -ne 0 ]; check $? "two src/ files and no name: the runner fails to load"
grep -q "cannot tell which is the algorithm" pipe.err; check $? "and says why"
ALGORITHMIA_ALGORITHM_NAME=other python3 "$FX/pipe-client.py" "$T/noconfopt/bin/pipe" "$T/algoout" '{"content_type":"text","data":"Jane"}' >responses 2>pipe.err
echo '{"metadata":{"content_type":"text"},"result":"other Jane"}' >expected
expect_same responses expected "ALGORITHMIA_ALGORITHM_NAME picks the algorithm"

# .adk: the algorithm speaks the protocol itself; the runner only starts src.<algoname>
mkdir -p adk/src
touch adk/.adk adk/src/__init__.py
echo '{"algoname": "hello", "language": "python3"}' >adk/algorithmia.conf
cat >adk/src/hello.py <<'PY'
import json, os, sys
print("PIPE_INIT_COMPLETE", flush=True)
for line in sys.stdin:
    with open(os.environ["ALGOOUT"], "w") as out:
        out.write(json.dumps({"result": "adk " + json.loads(line)["data"], "metadata": {"content_type": "text"}}) + "\n")
PY
run "$LP" install-algorithm -C adk --prefix "$T/adkopt"; expect_exit 0 "install an .adk algorithm"
python3 "$FX/pipe-client.py" "$T/adkopt/bin/pipe" "$T/algoout" '{"content_type":"text","data":"Jane"}' >responses 2>pipe.err
echo '{"metadata":{"content_type":"text"},"result":"adk Jane"}' >expected
expect_same responses expected "an .adk algorithm runs its own protocol loop"
done_testing
