/* cmd.h - one entry point per subcommand; the return value is the exit status */
/* SPDX-License-Identifier: MIT */
#ifndef LP_CMD_H
#define LP_CMD_H

/*
 * Adding a command:
 *   1. write cmd/<name>.c with int cmd_<name>(int argc, char **argv), argv[0]
 *      being the command name: a static struct cmd_help, one struct cmd_opt
 *      table (cmd/opt.h) inside the function, cmd_opt_parse(), then call
 *      lib/, print, and pick the exit status from the result (cmd_error());
 *   2. declare it here and add it to commands[] in cmd/lp.c;
 *   3. add man/lp-<name>.1 (its OPTIONS must match --help: t0002), a README
 *      section, test/cli/ tests.
 * A sub-subcommand (lp artifact verify) is a row in its command's
 * subcommands[] table; a large one may live in cmd/<name>_<sub>.c.
 */
int cmd_artifact(int argc, char **argv);
int cmd_build_algorithm(int argc, char **argv);
int cmd_build_template(int argc, char **argv);
int cmd_install_algorithm(int argc, char **argv);
int cmd_install_dependencies(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_snap(int argc, char **argv);

#endif
