#!/bin/sh
# t0401-artifact-s3-auth.sh - S3 credentials: wrong secret, profiles, session token, missing credentials
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/s3lib.sh"

mkdir -p lib
head -c 1000 /dev/urandom >lib/libmxnet.so
echo "Apache License" >LICENSE

# wrong secret: s3rver verifies SigV4, so the first request is refused
AWS_SECRET_ACCESS_KEY=not-the-secret run lpa push --repository "$REPO/bad" \
	--libmxnet lib/libmxnet.so --licenses LICENSE --max-attempts 5
expect_exit 1 "wrong secret exits 1"
expect_err_contains "SignatureDoesNotMatch" "error carries the S3 code"
expect_err_contains "(HTTP 403)" "error carries the HTTP status"
expect_err_lines 1 "one line of error"
grep -q "attempts" "$ERR"; [ $? -ne 0 ]; check $? "auth errors are not retried"
grep -q "not-the-secret" "$ERR"; [ $? -ne 0 ]; check $? "the secret is not printed"
[ -z "$(s3keys "$PFX/bad/")" ]; check $? "nothing was published"

# credentials from a profile in the shared files (env keys removed)
mkdir -p "$HOME/.aws"
printf '[default]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\n\n[ci]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$HOME/.aws/credentials"
printf '[profile ci]\nregion = eu-west-3\n' >"$HOME/.aws/config"
(
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION
	run lpa push --repository "$REPO/prof" --libmxnet lib/libmxnet.so --licenses LICENSE --profile ci -v
	expect_exit 0 "push with --profile ci from ~/.aws/credentials"
	expect_err_contains "credentials from profile 'ci' in '$HOME/.aws/credentials', region eu-west-3" "-v names the credential source and the profile's region"
	AWS_PROFILE=ci run lpa pull --repository "$REPO/prof" prof
	expect_exit 0 "pull with AWS_PROFILE=ci"
	expect_same lib/libmxnet.so prof/libmxnet.so "profile round trip"
	mv "$HOME/.aws/credentials" "$T/creds.moved"
	AWS_SHARED_CREDENTIALS_FILE="$T/creds.moved" run lpa pull --repository "$REPO/prof" --profile ci prof2
	expect_exit 0 "AWS_SHARED_CREDENTIALS_FILE names the file"
	run lpa pull --repository "$REPO/prof" --profile nope prof3
	expect_exit 1 "an unknown profile is an error"
	expect_err_contains "AWS profile 'nope' not found" "names the missing profile"
	AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1 AWS_EC2_METADATA_DISABLED= \
		run lpa pull --repository "$REPO/prof" prof4
	expect_exit 1 "no credentials anywhere exits 1"
	expect_err_contains "no AWS credentials found (tried: env AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (unset); profile 'default'" "one error listing what was tried"
	expect_err_contains "container credentials (AWS_CONTAINER_CREDENTIALS_*_URI unset); EC2 instance metadata" "... including container and instance metadata"
	expect_err_lines 1 "still one line"
	_fails_sub=$_fails
	exit $_fails_sub
) >sub.out 2>&1
sub=$?
cat sub.out
_fails=$((_fails + sub))

# session token: sent, signed, never shown (-v shows header names only)
proxy_start
AWS_SESSION_TOKEN=THE-SESSION-TOKEN LPA_EP=$PROXY_EP run lpa push --repository "$REPO/tok" \
	--libmxnet lib/libmxnet.so --licenses LICENSE -v
expect_exit 0 "push with a session token (s3rver accepts the header)"
proxy_stop
grep -q "^  x-amz-security-token$" "$PROXY_LOG"; check $? "x-amz-security-token is on the wire"
n=$(grep -c "^REQUEST " "$PROXY_LOG")
m=$(grep -c "SignedHeaders=.*x-amz-security-token" "$PROXY_LOG")
[ "$n" -gt 0 ] && [ "$n" -eq "$m" ]; check $? "every request signs x-amz-security-token ($m of $n)"
expect_err_contains ">   x-amz-security-token" "-v shows the header name"
expect_err_contains "SignedHeaders=" "-v shows which headers were signed"
grep -q "THE-SESSION-TOKEN" "$ERR"; [ $? -ne 0 ]; check $? "-v never prints the token"
grep -q "$SK" "$ERR"; [ $? -ne 0 ]; check $? "-v never prints the secret"
grep -q "Signature=" "$ERR"; [ $? -ne 0 ]; check $? "-v never prints the signature"
done_testing
