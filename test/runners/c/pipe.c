/* pipe.c - echo test runner for lp serve (C): the bin/pipe protocol */
/* SPDX-License-Identifier: MIT */
/*
 * Answers each stdin line {"content_type":CT,"data":D} with
 * {"result":D,"metadata":{"content_type":CT}} on $ALGOOUT. The request line
 * is sorted by lp serve, so "content_type" comes first and "data" runs to
 * the closing brace. Used by the CLI tests and as the benchmark's floor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	const char *fifo = getenv("ALGOOUT");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!fifo)
		fifo = "/tmp/algoout";
	printf("PIPE_INIT_COMPLETE\n");
	fflush(stdout);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		char *ct = strstr(line, "\"content_type\":\"");
		char *data = strstr(line, ",\"data\":");
		char *end = strrchr(line, '}');
		FILE *f;

		if (!ct || !data || !end || end < data)
			return 2;
		ct += strlen("\"content_type\":\"");
		data += strlen(",\"data\":");
		f = fopen(fifo, "w");
		if (!f)
			return 3;
		fprintf(f, "{\"result\":%.*s,\"metadata\":{\"content_type\":\"%.*s\"}}\n",
			(int)(end - data), data, (int)(strchr(ct, '"') - ct), ct);
		if (fclose(f))
			return 4;
	}
	free(line);
	return 0;
}
