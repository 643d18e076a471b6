/* opt.c - one declarative option table per command: parsing, --help and usage errors */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/opt.h"
#include "cmd/usage.h"
#include "lib/core/buf.h"
#include "lib/core/log.h"
#include "lib/core/xalloc.h"

/* getopt_long values for rows without a short alias: OPT_BASE + row index */
#define OPT_BASE 1000
#define HELP_COLUMN 28

/* the rows every command has, after its own */
static const struct cmd_opt common[] = {
    {.type = CMD_OPT_T_FLAG, .alias = 'h', .name = "help", .help = "show this help"},
    {.type = CMD_OPT_T_FLAG,
     .alias = 'v',
     .name = "verbose",
     .help = "print debug output (never secrets)"},
    {.type = CMD_OPT_T_FLAG, .alias = 'q', .name = "quiet", .help = "print errors only"},
};
#define NR_COMMON (sizeof(common) / sizeof(common[0]))

int cmd_opt_usage_error(const struct cmd_help *h, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = cmd_usage_verror(h->cmd, fmt, ap);
	va_end(ap);
	return r;
}

static int takes_arg(const struct cmd_opt *o)
{
	switch (o->type) {
	case CMD_OPT_T_STRING:
	case CMD_OPT_T_LIST:
	case CMD_OPT_T_INT:
	case CMD_OPT_T_SIZE:
	case CMD_OPT_T_CHOICE:
		return 1;
	case CMD_OPT_T_CALLBACK:
		return !(o->flags & CMD_OPT_NOARG);
	default:
		return 0;
	}
}

static size_t count(const struct cmd_opt *opts)
{
	size_t n = 0;

	while (opts[n].type != CMD_OPT_T_END)
		n++;
	return n;
}

const struct cmd_opt *cmd_opt_find(const struct cmd_opt *opts, const char *name)
{
	for (; opts->type != CMD_OPT_T_END; opts++)
		if (opts->name &&
		    (!strcmp(opts->name, name) || (opts->alt && !strcmp(opts->alt, name))))
			return opts;
	return NULL;
}

/* "--licenses a b" -> "--licenses=a" "--licenses=b", up to the next option */
static void expand_nargs(struct lp_strvec *out, const struct cmd_opt *opts, int argc, char **argv)
{
	const struct cmd_opt *list = NULL;
	int i, dashdash = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const struct cmd_opt *o;

		if (dashdash || (list && a[0] != '-')) {
			if (!dashdash)
				lp_strvec_pushf(out, "--%s=%s", list->name, a);
			else
				lp_strvec_push(out, a);
			continue;
		}
		list = NULL;
		dashdash = !strcmp(a, "--");
		o = !strncmp(a, "--", 2) && a[2] ? cmd_opt_find(opts, a + 2) : NULL;
		if (o && o->type == CMD_OPT_T_LIST && (o->flags & CMD_OPT_NARGS) && !strchr(a, '='))
			list = o;
		else
			lp_strvec_push(out, a);
		/* zero values, as nargs='*' allows */
		if (list && (i + 1 == argc || argv[i + 1][0] == '-'))
			lp_strvec_pushf(out, "--%s=", list->name);
	}
}

static int parse_size(const struct cmd_help *h, const char *flag, const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (end == s || *end || *s == '-' || errno || v > (~0ULL >> shift))
		return cmd_opt_usage_error(h, "%s: '%s' is not a size in bytes (K, M, G allowed)",
					   flag, s);
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_choice(const struct cmd_help *h, const struct cmd_opt *o, const char *flag,
			const char *arg)
{
	const char *c = o->choices;
	size_t len = strlen(arg);
	int i = 0;

	while (*c) {
		size_t n = strcspn(c, "|");

		if (n == len && !strncmp(c, arg, n)) {
			*(int *)o->value = i;
			return 0;
		}
		c += n + (c[n] == '|');
		i++;
	}
	return cmd_opt_usage_error(h, "%s: '%s' is not one of %s", flag, arg, o->choices);
}

/* Store one option; 0 to go on, else the exit status. */
static int apply(const struct cmd_help *h, const struct cmd_opt *o, const char *flag,
		 const char *arg, const struct cmd_opt *opts)
{
	char *end;
	long v;

	switch (o->type) {
	case CMD_OPT_T_FLAG:
		if (o->value)
			*(int *)o->value = (int)o->ival;
		return 0;
	case CMD_OPT_T_BITS:
		*(unsigned *)o->value |= (unsigned)o->ival;
		return 0;
	case CMD_OPT_T_STRING:
		*(const char **)o->value = arg;
		return 0;
	case CMD_OPT_T_LIST:
		lp_strvec_push(o->value, arg);
		return 0;
	case CMD_OPT_T_INT:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (!*arg || *end || errno == ERANGE || v < o->ival || v > o->max)
			return cmd_opt_usage_error(h, "%s: '%s' is not an integer in %ld..%ld",
						   flag, arg, o->ival, o->max);
		*(long *)o->value = v;
		return 0;
	case CMD_OPT_T_SIZE:
		return parse_size(h, flag, arg, o->value);
	case CMD_OPT_T_CHOICE:
		return parse_choice(h, o, flag, arg);
	case CMD_OPT_T_CALLBACK:
		return o->cb(h, o, arg);
	default:
		(void)opts;
		LP_BUG("option row without a type");
	}
	return 0;
}

/* The flag as the user wrote it, for messages: "--tag" or "-t". */
static void flag_name(struct lp_buf *out, const struct cmd_opt *o, const char *written)
{
	lp_buf_reset(out);
	if (written && !strncmp(written, "--", 2)) {
		size_t n = strcspn(written, "=");

		lp_buf_add(out, written, n);
	} else if (o->alias && written && written[0] == '-' && written[1] == o->alias) {
		lp_buf_addf(out, "-%c", o->alias);
	} else {
		lp_buf_addf(out, "--%s", o->name);
	}
}

int cmd_opt_parse(int *argi, const struct cmd_help *h, const struct cmd_opt *opts, int *argcp,
		  char ***argvp, struct lp_strvec *scratch)
{
	int argc = *argcp;
	size_t n = count(opts), i, nl = 0;
	struct option *lo = lp_xcalloc(2 * (n + NR_COMMON) + 1, sizeof(*lo));
	struct lp_buf shorts = LP_BUF_INIT, flag = LP_BUF_INIT;
	char **argv = *argvp;
	int c, status = CMD_OPT_CONTINUE, nargs = 0;

	for (i = 0; i < n; i++)
		nargs |= !!(opts[i].flags & CMD_OPT_NARGS);
	if (nargs) {
		lp_strvec_push(scratch, argv[0]);
		expand_nargs(scratch, opts, argc - 1, argv + 1);
		argc = (int)scratch->nr;
		argv = (char **)scratch->v;
		*argcp = argc;
		*argvp = argv;
	}

	/* ':' first: a missing argument comes back as ':' so we print our own line */
	lp_buf_adds(&shorts, ":hvq");
	for (i = 0; i < n + NR_COMMON; i++) {
		const struct cmd_opt *o = i < n ? &opts[i] : &common[i - n];
		int val = o->alias ? o->alias : OPT_BASE + (int)i;
		int has = takes_arg(o) ? required_argument : no_argument;

		if (!o->name)
			continue;
		lo[nl++] = (struct option){.name = o->name, .has_arg = has, .val = val};
		if (o->alt)
			lo[nl++] = (struct option){.name = o->alt, .has_arg = has, .val = val};
		if (o->alias && i < n)
			lp_buf_addf(&shorts, "%c%s", o->alias, has ? ":" : "");
	}

	optind = 0; /* glibc: rescan from the start (tests call commands twice) */
	opterr = 0;
	while (status == CMD_OPT_CONTINUE &&
	       (c = getopt_long(argc, argv, shorts.buf, lo, NULL)) != -1) {
		/* the flag as written: "-u 5" leaves optind past the value */
		const char *written = optarg && optind >= 2 && optarg == argv[optind - 1]
					  ? argv[optind - 2]
					  : argv[optind - 1];
		const struct cmd_opt *o = NULL;

		if (c == ':' || c == '?') {
			/* name the flag as written: "--tag", "-t", or "-x" out of "-xyz" */
			lp_buf_reset(&flag);
			if (!strncmp(written, "--", 2))
				lp_buf_add(&flag, written, strcspn(written, "="));
			else if (optopt > 0 && optopt < 256)
				lp_buf_addf(&flag, "-%c", optopt);
			else
				lp_buf_adds(&flag, written);
			status = cmd_opt_usage_error(h,
						     c == ':' ? "option '%s' requires an argument"
							      : "unknown option '%s'",
						     flag.buf);
			break;
		}
		if (c >= OPT_BASE) {
			size_t k = (size_t)(c - OPT_BASE);

			o = k < n ? &opts[k] : &common[k - n];
		} else {
			for (i = 0; i < n && !o; i++)
				if (opts[i].alias == c)
					o = &opts[i];
			for (i = 0; i < NR_COMMON && !o; i++)
				if (common[i].alias == c)
					o = &common[i];
		}
		if (!o)
			LP_BUG("getopt returned an option outside the table");
		if (o >= common && o < common + NR_COMMON) {
			if (o->alias == 'h') {
				cmd_opt_help(stdout, h, opts);
				status = LP_EXIT_OK;
			} else {
				lp_log_set_level(o->alias == 'v' ? LP_LOG_VERBOSE : LP_LOG_QUIET);
			}
			continue;
		}
		flag_name(&flag, o, written);
		status = apply(h, o, flag.buf, optarg, opts);
		if (status == 0)
			status = CMD_OPT_CONTINUE;
	}
	*argi = optind;
	free(lo);
	lp_buf_release(&shorts);
	lp_buf_release(&flag);
	return status;
}

/* "  -o, --output FILE" */
static void left_column(struct lp_buf *b, const struct cmd_opt *o)
{
	lp_buf_adds(b, "  ");
	if (o->alias)
		lp_buf_addf(b, "-%c, ", o->alias);
	else
		lp_buf_adds(b, "    ");
	lp_buf_addf(b, "--%s", o->name);
	if (o->alt && !(o->flags & CMD_OPT_HIDDEN))
		lp_buf_addf(b, ", --%s", o->alt);
	if (takes_arg(o) && o->arg)
		lp_buf_addf(b, " %s", o->arg);
}

static void print_row(FILE *f, const struct cmd_opt *o)
{
	struct lp_buf left = LP_BUF_INIT;
	const char *help = o->help ? o->help : "";

	left_column(&left, o);
	if (left.len + 2 > HELP_COLUMN) {
		fprintf(f, "%s\n%*s", left.buf, HELP_COLUMN, "");
	} else {
		fprintf(f, "%-*s", HELP_COLUMN, left.buf);
	}
	while (*help) {
		size_t k = strcspn(help, "\n");

		fprintf(f, "%.*s\n", (int)k, help);
		help += k;
		if (*help == '\n' && *++help)
			fprintf(f, "%*s", HELP_COLUMN, "");
	}
	if (!o->help || !*o->help)
		fputc('\n', f);
	lp_buf_release(&left);
}

void cmd_opt_help(FILE *f, const struct cmd_help *h, const struct cmd_opt *opts)
{
	const char *u = h->usage;
	int first = 1;
	size_t i;

	while (*u) {
		size_t k = strcspn(u, "\n");

		fprintf(f, "%s%.*s\n", first ? "usage: " : "       ", (int)k, u);
		first = 0;
		u += k + (u[k] == '\n');
	}
	if (h->description)
		fprintf(f, "\n%s", h->description);
	if (opts->type != CMD_OPT_T_SECTION)
		fputs("\nOptions:\n", f);
	for (; opts->type != CMD_OPT_T_END; opts++) {
		if (opts->type == CMD_OPT_T_SECTION)
			fprintf(f, "\n%s\n", opts->help);
		else if (!(opts->flags & CMD_OPT_HIDDEN))
			print_row(f, opts);
	}
	fputs("\nCommon options:\n", f);
	for (i = 0; i < NR_COMMON; i++)
		print_row(f, &common[i]);
	if (h->footer)
		fprintf(f, "\n%s", h->footer);
}

int cmd_opt_parse_all(const struct cmd_help *h, const struct cmd_opt *opts, int *argc, char ***argv,
		      struct lp_strvec *scratch)
{
	int argi, status = cmd_opt_parse(&argi, h, opts, argc, argv, scratch);

	if (status == CMD_OPT_CONTINUE && argi < *argc)
		return cmd_opt_usage_error(h, "unexpected argument '%s'", (*argv)[argi]);
	return status;
}
