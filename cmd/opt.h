/* opt.h - one declarative option table per command: parsing, --help and usage errors */
/* SPDX-License-Identifier: MIT */
#ifndef LP_CMD_OPT_H
#define LP_CMD_OPT_H

#include <stdint.h>
#include <stdio.h>

/*
 * A command describes its options once, as an array of struct cmd_opt ending
 * in CMD_OPT_END, built inside the command function so that `value` points
 * into the command's own options struct (no global state):
 *
 *   struct install_opts o = { .dir = "." };
 *   const struct cmd_opt opts[] = {
 *       CMD_OPT_STRING('C', "directory", &o.dir, "DIR", "the algorithm directory (default: .)"),
 *       CMD_OPT_BITS(0, "offline", &o.flags, LP_ALGORITHM_OFFLINE, "no network"),
 *       CMD_OPT_END,
 *   };
 *   if ((status = cmd_opt_parse(&argi, &help, opts, &argc, &argv, &scratch)) != CMD_OPT_CONTINUE)
 *       return status;
 *
 * The same table gives getopt_long() its option array and optstring, prints
 * --help (cmd_opt_help), and names the flag in every usage error, which
 * always exits 2 with "see 'lp CMD --help'". -h/--help, -v/--verbose and
 * -q/--quiet are added to every table; they are handled here.
 *
 * An option's value is validated when it is parsed (INT ranges, SIZE
 * suffixes, CHOICE lists, CALLBACK checks), so a bad flag value is always a
 * usage error (exit 2), never a runtime error.
 */

enum cmd_opt_type {
	CMD_OPT_T_END = 0,
	CMD_OPT_T_SECTION,  /* a heading in --help; `help` is its text */
	CMD_OPT_T_FLAG,	    /* no argument: *(int *)value = ival */
	CMD_OPT_T_BITS,	    /* no argument: *(unsigned *)value |= ival */
	CMD_OPT_T_STRING,   /* one argument: *(const char **)value = arg (last wins) */
	CMD_OPT_T_LIST,	    /* repeatable: lp_strvec_push((struct lp_strvec *)value, arg) */
	CMD_OPT_T_INT,	    /* decimal integer in [ival, max]: *(long *)value */
	CMD_OPT_T_SIZE,	    /* bytes, K/M/G suffixes allowed: *(uint64_t *)value */
	CMD_OPT_T_CHOICE,   /* one of `choices` ("a|b|c"): *(int *)value = its index */
	CMD_OPT_T_CALLBACK, /* cb(h, opt, arg) decides; arg is NULL for CMD_OPT_NOARG */
};

enum cmd_opt_flags {
	CMD_OPT_NOARG = (1 << 0),  /* CALLBACK: takes no argument */
	CMD_OPT_NARGS = (1 << 1),  /* LIST: also takes the words after it, up to the next
				    * option ("--licenses a b c", argparse nargs='*') */
	CMD_OPT_HIDDEN = (1 << 2), /* accepted, not shown in --help (old spellings) */
};

struct cmd_opt;
struct cmd_help;

/* CALLBACK options: return 0 to go on, or cmd_opt_usage_error(h, ...)'s 2.
 * `opt->value` is the callback's context. */
typedef int (*cmd_opt_cb)(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg);

struct cmd_opt {
	enum cmd_opt_type type;
	char alias;	     /* short option letter, or 0 */
	const char *name;    /* long name without "--" */
	const char *alt;     /* a second long name (e.g. the old tool's spelling), or NULL */
	void *value;	     /* where the result goes (see the types) */
	long ival;	     /* FLAG: value stored; BITS: bits set; INT: minimum */
	long max;	     /* INT: maximum */
	const char *choices; /* CHOICE: "static|dynamic" */
	cmd_opt_cb cb;	     /* CALLBACK */
	const char *arg;     /* argument name in --help ("FILE"), NULL for none */
	const char *help;    /* one line; '\n' continues it on the next line */
	unsigned flags;	     /* enum cmd_opt_flags */
};

/* Constructors, so a table reads as one row per option. */
#define CMD_OPT_END                                                                                \
	{                                                                                          \
		.type = CMD_OPT_T_END                                                              \
	}
#define CMD_OPT_SECTION(text)                                                                      \
	{                                                                                          \
		.type = CMD_OPT_T_SECTION, .help = (text)                                          \
	}
#define CMD_OPT_FLAG(a, n, v, iv, h)                                                               \
	{                                                                                          \
		.type = CMD_OPT_T_FLAG, .alias = (a), .name = (n), .value = (v), .ival = (iv),     \
		.help = (h)                                                                        \
	}
#define CMD_OPT_BITS(a, n, v, bits, h)                                                             \
	{                                                                                          \
		.type = CMD_OPT_T_BITS, .alias = (a), .name = (n), .value = (v), .ival = (bits),   \
		.help = (h)                                                                        \
	}
#define CMD_OPT_STRING(a, n, v, an, h)                                                             \
	{                                                                                          \
		.type = CMD_OPT_T_STRING, .alias = (a), .name = (n), .value = (v), .arg = (an),    \
		.help = (h)                                                                        \
	}
#define CMD_OPT_LIST(a, n, v, an, h)                                                               \
	{                                                                                          \
		.type = CMD_OPT_T_LIST, .alias = (a), .name = (n), .value = (v), .arg = (an),      \
		.help = (h)                                                                        \
	}
#define CMD_OPT_INT(a, n, v, lo, hi, an, h)                                                        \
	{                                                                                          \
		.type = CMD_OPT_T_INT, .alias = (a), .name = (n), .value = (v), .ival = (lo),      \
		.max = (hi), .arg = (an), .help = (h)                                              \
	}
#define CMD_OPT_SIZE(a, n, v, an, h)                                                               \
	{                                                                                          \
		.type = CMD_OPT_T_SIZE, .alias = (a), .name = (n), .value = (v), .arg = (an),      \
		.help = (h)                                                                        \
	}
#define CMD_OPT_CHOICE(a, n, v, ch, an, h)                                                         \
	{                                                                                          \
		.type = CMD_OPT_T_CHOICE, .alias = (a), .name = (n), .value = (v),                 \
		.choices = (ch), .arg = (an), .help = (h)                                          \
	}
#define CMD_OPT_CALLBACK(a, n, v, fn, an, h)                                                       \
	{                                                                                          \
		.type = CMD_OPT_T_CALLBACK, .alias = (a), .name = (n), .value = (v), .cb = (fn),   \
		.arg = (an), .help = (h), .flags = ((an) ? 0 : CMD_OPT_NOARG)                      \
	}

/* What a command's --help says around the generated option list. */
struct cmd_help {
	const char *cmd;	 /* "artifact push": used in errors and "see 'lp CMD --help'" */
	const char *usage;	 /* synopsis lines, each ending in '\n', without "usage: " */
	const char *description; /* a paragraph, or NULL */
	const char *footer;	 /* environment, exit status..., or NULL */
};

/* cmd_opt_parse() returns this when the command should go on. */
#define CMD_OPT_CONTINUE (-1)

/*
 * Parse argv[1..] (argv[0] is the command name) with getopt_long, storing
 * each option through its table row. Positional arguments are permuted to
 * the end, as GNU getopt does: on CMD_OPT_CONTINUE, argv[*argi..argc-1] are
 * they. --help prints the help to stdout and returns 0; any bad option,
 * missing argument or bad value prints a one-line error naming the flag and
 * returns 2. With CMD_OPT_NARGS rows, `*argc` and `*argv` are replaced by a
 * rewritten vector held in `scratch`, which the caller releases.
 */
struct lp_strvec;
int cmd_opt_parse(int *argi, const struct cmd_help *h, const struct cmd_opt *opts, int *argc,
		  char ***argv, struct lp_strvec *scratch);

/*
 * cmd_opt_parse() for a command that takes no positional argument: one is a
 * usage error ("unexpected argument 'X'", exit 2).
 */
int cmd_opt_parse_all(const struct cmd_help *h, const struct cmd_opt *opts, int *argc, char ***argv,
		      struct lp_strvec *scratch);

/* Print the whole help (usage, description, options, footer) to `f`. */
void cmd_opt_help(FILE *f, const struct cmd_help *h, const struct cmd_opt *opts);

/* "lp CMD: <msg>" + "see 'lp CMD --help'" on stderr; returns 2. */
int cmd_opt_usage_error(const struct cmd_help *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The row for --name in `opts` (NULL if none): for callbacks and checks. */
const struct cmd_opt *cmd_opt_find(const struct cmd_opt *opts, const char *name);

#endif
