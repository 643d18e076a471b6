#!/bin/sh
# t0570-install-java-upstream.sh - upstream's Java runner (algorithmiaio/langpacks java/pipe and
# java/template, built here with Debian's JDK, gson and commons-io) behind lp install-algorithm and
# lp serve: with no algorithmia.conf, lp makes none up, so the runner reads
# ALGORITHMIA_ALGORITHM_NAME and works
#
# Upstream's code is never part of lp: the test reads a checkout named by LP_UPSTREAM_LANGPACKS
# (a work tree or a git directory) and says SKIP when there is none.
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/enginelib.sh"

UP=${LP_UPSTREAM_LANGPACKS:-}
if [ -z "$UP" ] || [ ! -e "$UP" ]; then
	ok "# SKIP no upstream langpacks checkout (set LP_UPSTREAM_LANGPACKS to one)"
	done_testing
	exit 0
fi
GSON=/usr/share/java/gson.jar CIO=/usr/share/java/commons-io.jar
if ! command -v javac >/dev/null 2>&1 || ! command -v jar >/dev/null 2>&1 || [ ! -f "$GSON" ] || [ ! -f "$CIO" ]; then
	ok "# SKIP no JDK, gson or commons-io (apt-get install default-jdk-headless libgoogle-gson-java libcommons-io-java)"
	done_testing
	exit 0
fi

mkdir up
if [ -d "$UP/java" ]; then
	cp -R "$UP/java" up/
else
	git --git-dir="$UP" archive HEAD java/pipe java/template | tar -x -C up
fi
check $? "upstream java/pipe and java/template from $UP"

# /tmp/algoout is hard-coded in upstream's Pipe.java: the runner and lp serve get a private
# /tmp (this test's $T/priv bound there in their own mount namespace)
P=$T/priv
mkdir -p "$P/javaLangpack/classes" "$P/javaLangpack/dependencies"
javac -nowarn -cp "$GSON:$CIO" -d "$P/javaLangpack/classes" up/java/pipe/src/main/java/com/algorithmia/*.java 2>javac.err
check $? "upstream's runner compiles against Debian's gson and commons-io"
jar cf "$P/javaLangpack/algorithmia-langpack-1.0-SNAPSHOT.jar" -C "$P/javaLangpack/classes" .
# the names upstream's bin/pipe puts on its class path
cp "$GSON" "$P/javaLangpack/dependencies/gson-2.8.0.jar"
cp "$CIO" "$P/javaLangpack/dependencies/commons-io-2.5.jar"

# the algorithm, as upstream's bin/make-example makes it: __ALGO__ -> hello
cp -R up/java/template alg
mv alg/src/main/java/algorithmia/__ALGO__ alg/src/main/java/algorithmia/hello
mv alg/src/main/java/algorithmia/hello/__ALGO__.java alg/src/main/java/algorithmia/hello/hello.java
rm -rf alg/src/test
sed -i 's/__ALGO__/hello/g' alg/pom.xml alg/src/main/java/algorithmia/hello/hello.java
# the template imports the Algorithmia client (com.algorithmia.algo/.data), which Debian has not
# and apply() does not use
sed -i '/^import com\.algorithmia\.algo\.\*;$/d; /^import com\.algorithmia\.data\.\*;$/d' \
	alg/src/main/java/algorithmia/hello/hello.java
# upstream's bin/pipe, pointed at this test's places instead of /bin/javaLangpack and /opt/algorithm
sed -i 's|/bin/javaLangpack|/tmp/javaLangpack|g; s|/opt/algorithm|/tmp/opt|g' alg/bin/pipe
[ ! -e alg/algorithmia.conf ]; check $? "upstream's java/template has no algorithmia.conf"

# Maven cannot resolve its plugins here (no Maven Central; Debian's plugin packages pull ~90
# more): this stand-in does what `mvn package` does for this pom, with the real javac and jar
mkdir bin
cat >bin/mvn <<EOF
#!/bin/sh
for a; do last=\$a; done
[ "\$last" = package ] || { echo "mvn stand-in: only 'package'" >&2; exit 2; }
set -e
mkdir -p target/classes target/dependencies
javac -nowarn -cp "$GSON:$P/javaLangpack/algorithmia-langpack-1.0-SNAPSHOT.jar" -d target/classes \$(find src/main/java -name '*.java')
jar cf target/hello-1.0-SNAPSHOT.jar -C target/classes .
cp "$GSON" target/dependencies/
echo "[INFO] BUILD SUCCESS"
EOF
chmod 755 bin/mvn

PATH=$T/bin:$PATH run "$LP" install-algorithm -C alg --prefix "$P/opt"
expect_exit 0 "lp install-algorithm: the Java template (mvn package, the algorithm's own bin/pipe)"
expect_no_file "$P/opt/algorithmia.conf" "no algorithmia.conf is made up"
expect_file "$P/opt/target/hello-1.0-SNAPSHOT.jar" "the jar is installed"
cmp -s alg/bin/pipe "$P/opt/bin/pipe"; check $? "bin/pipe is upstream's own"

# serve_in_private_tmp NAME [ENV...]: lp serve in /tmp/opt with $P as /tmp; sets PORT, SPID
serve_in_private_tmp() {
	name=$1; shift
	rm -f "$P/port"
	setsid unshare --mount --propagation private sh -c \
		'mount --bind "$1" /tmp && shift && cd /tmp/opt && exec env "$@"' sh "$P" "$@" \
		"$LP" serve -a /tmp/opt --listen 127.0.0.1:0 --port-file /tmp/port --timeout 60 \
		</dev/null >"$T/$name.log" 2>&1 &
	SPID=$!
	echo "$SPID" >"$T/$name.pid"
	_engine_pids="$_engine_pids $T/$name.pid"
	i=0
	while [ ! -s "$P/port" ] && [ $i -lt 200 ] && kill -0 "$SPID" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	PORT=$(cat "$P/port" 2>/dev/null)
}

serve_in_private_tmp named ALGORITHMIA_ALGORITHM_NAME=hello
[ -n "$PORT" ]; check $? "lp serve loaded upstream's runner (ALGORITHMIA_ALGORITHM_NAME=hello)"
run curl -sS -H 'Content-Type: text/plain' -d Jane "http://127.0.0.1:$PORT/"
expect_out_contains '"result":"Hello Jane"' "upstream's Pipe answers through lp serve"
run curl -sS -H 'Content-Type: application/json' -d '"Ada"' "http://127.0.0.1:$PORT/"
expect_out_contains '"result":"Hello Ada"' "JSON input too"
run curl -sS -X DELETE "http://127.0.0.1:$PORT/"
expect_out_contains '"result":"Runner exited: 0"' "DELETE stops it"
wait "$SPID" 2>/dev/null

# what a made-up algorithmia.conf (algoname = the directory's name) did to that runner
printf '{"username": "", "algoname": "opt", "language": "java"}\n' >"$P/opt/algorithmia.conf"
serve_in_private_tmp madeup ALGORITHMIA_ALGORITHM_NAME=hello
[ -z "$PORT" ]; check $? "with a made-up algorithmia.conf the runner does not load"
grep -q "Algorithm class not found. Name must match: algorithmia.opt.opt" "$T/madeup.log"
check $? "it looks for class algorithmia.opt.opt instead"

engines_stop
done_testing
