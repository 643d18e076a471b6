#!/bin/sh
# t0412-artifact-s3-integrity.sh - one body byte flipped on the wire, up and down: never stored, never installed
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/s3lib.sh"

# each kind of flip this many times (bench/faults.sh raises it)
F=${LP_FAULT_FLIPS:-2}
M="--multipart-threshold 5M --part-size 5M"
head -c 3145728 /dev/urandom >one.so    # one PUT
head -c 11534336 /dev/urandom >parts.so # 3 parts
echo "Apache License" >LICENSE
sum() { sha256sum "$1" | cut -d' ' -f1; }

flipped=0 caught=0 stored_bad=0 pushed=0
i=0
while [ $i -lt "$F" ]; do
	for f in one.so parts.so; do
		case $f in one.so) path=libmxnet.so ;; *) path=partNumber= ;; esac
		proxy_start --flip 1 --flip-path "$path"
		LPA_EP=$PROXY_EP run lpa push --repository "$REPO/up$i$f" --libmxnet $f --licenses LICENSE $M -v
		proxy_stop
		[ "$rc" -eq 0 ] && pushed=$((pushed + 1))
		flipped=$((flipped + $(grep -c '^FLIPPED' "$PROXY_LOG")))
		# RGW refuses the body (BadDigest); s3rver stores it, and lp sees its ETag is not the MD5
		grep -q "BadDigest" "$ERR" && caught=$((caught + 1))
		s3api get-object --bucket "$B" --key "$PFX/up$i$f/$SHA/ubuntu18.04/cpu/static/libmxnet.so" got >/dev/null 2>&1
		[ "$(sum got)" = "$(sum $f)" ] || stored_bad=$((stored_bad + 1))
		rm -f got
	done
	i=$((i + 1))
done
echo "# upload flips ($SERVER): $flipped bodies flipped (single PUTs and parts), $caught caught (BadDigest from the server or lp's ETag check) and resent, $pushed pushes exit 0, $stored_bad stored objects differ from the source"
[ "$flipped" -eq $((2 * F)) ]; check $? "the proxy flipped $((2 * F)) upload bodies"
[ "$caught" -eq $((2 * F)) ]; check $? "every flipped upload was caught"
[ "$pushed" -eq $((2 * F)) ] && [ "$stored_bad" -eq 0 ]; check $? "every push exit 0 with the right bytes stored"
if [ "$SERVER" = rgw ]; then
	grep -q "BadDigest (HTTP 400)" "$ERR"; check $? "RGW itself rejected the body (Content-MD5)"
else
	grep -q "its ETag is not the Content-MD5" "$ERR"; check $? "s3rver stored it; lp caught the ETag"
fi

# downloads: a flipped file is fetched again, a flipped manifest read again
flipped=0 ok=0 bad=0
i=0
while [ $i -lt "$F" ]; do
	for what in libmxnet.so libmxnet.meta; do
		proxy_start --down --flip 1 --flip-path "/$what"
		rm -rf d
		LPA_EP=$PROXY_EP run lpa pull --repository "$REPO/up0parts.so" d
		proxy_stop
		flipped=$((flipped + $(grep -c '^FLIPPED' "$PROXY_LOG")))
		if [ "$rc" -eq 0 ] && "$LP" artifact verify -q d && cmp -s parts.so d/libmxnet.so; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
	done
	i=$((i + 1))
done
echo "# download flips ($SERVER): $flipped bodies flipped (libmxnet.so, libmxnet.meta), $ok pulls whole after reading again, $bad installed something wrong or failed"
[ "$flipped" -eq $((2 * F)) ]; check $? "the proxy flipped $((2 * F)) download bodies"
[ "$ok" -eq $((2 * F)) ] && [ "$bad" -eq 0 ]; check $? "every pull ended whole and verified"
expect_err_contains "reading it again" "a damaged manifest is read again"

# a stored object damaged for good: the pull fails, DEST keeps what it had
s3api put-object --bucket "$B" --key "$PFX/up0one.so/$SHA/ubuntu18.04/cpu/static/libmxnet.so" --body parts.so >/dev/null
mkdir keep && echo mine >keep/own
run lpa pull --repository "$REPO/up0one.so" keep
expect_exit 1 "a corrupt stored object: exit 1"
expect_err_contains "is corrupt: 11534336 bytes, the manifest says 3145728" "names the corruption"
[ "$(ls -A keep)" = own ]; check $? "DEST untouched"
done_testing
