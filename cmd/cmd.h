/* cmd.h - one entry point per subcommand; the return value is the exit status */
/* SPDX-License-Identifier: MIT */
#ifndef LP_CMD_H
#define LP_CMD_H

/*
 * Adding a command:
 *   1. write cmd/<name>.c with int cmd_<name>(int argc, char **argv), argv[0]
 *      being the command name; parse with getopt_long (set optind = 0 first),
 *      call lib/, print, map errors with cmd_error();
 *   2. declare it here and add it to commands[] in cmd/lp.c;
 *   3. add man/lp-<name>.1, a README section, test/cli/ tests.
 */
int cmd_artifact(int argc, char **argv);
int cmd_build_template(int argc, char **argv);
int cmd_install_algorithm(int argc, char **argv);
int cmd_install_dependencies(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_snap(int argc, char **argv);

#endif
