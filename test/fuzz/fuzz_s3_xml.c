/* fuzz_s3_xml.c - lib/store/s3.c: the XML of S3 answers (listings, errors, multipart) */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "lib/store/s3.h"
#include "test/fuzz/fuzz.h"

/* What the store's callbacks do with each element: compare paths, copy text. */
static int visit(const char *path, const char *text, void *p)
{
	size_t *n = p;

	FUZZ_ASSERT(path && text);
	if (!strcmp(path, "ListBucketResult/Contents/Key") ||
	    !strcmp(path, "ListBucketResult/NextContinuationToken") ||
	    !strcmp(path, "InitiateMultipartUploadResult/UploadId"))
		*n += strlen(text);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lp_error err = LP_ERROR_INIT;
	char code[64], msg[256];
	size_t n = 0;

	(void)lp_s3_xml_parse((const char *)data, size, visit, &n, &err);
	if (lp_s3_xml_error((const char *)data, size, code, sizeof(code), msg, sizeof(msg)))
		FUZZ_ASSERT(strlen(code) < sizeof(code) && strlen(msg) < sizeof(msg));
	return 0;
}
