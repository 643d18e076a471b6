/* osinfo.h - the operating-system coordinate of an artifact ("ubuntu16.04") */
/* SPDX-License-Identifier: MIT */
#ifndef LP_OSINFO_H
#define LP_OSINFO_H

#include <stddef.h>

#include "lib/core/error.h"

/*
 * On Linux the OS string is os-release(5)'s ID followed directly by its
 * VERSION_ID ("ubuntu" + "16.04" -> "ubuntu16.04", "centos" + "7" ->
 * "centos7"); a distribution without VERSION_ID (a rolling release such as
 * Arch) gives ID alone. Files are tried in this order, each relative to
 * `root` ("/" on a real system; tests pass a fixture directory):
 *
 *   etc/os-release, usr/lib/os-release       (os-release(5))
 *   etc/lsb-release                          (DISTRIB_ID + DISTRIB_RELEASE, lowercased)
 *   etc/<name>-release, in name order        ("CentOS release 6.10 (Final)":
 *                                             <name> + the major release number,
 *                                             "redhat" spelled "rhel" as in os-release)
 *
 * On other systems it is the lowercased uname(2) system name ("darwin").
 */

/*
 * Parse os-release text: comments, blank lines, surrounding whitespace,
 * double quotes (with \" \\ \$ \` escapes) and single quotes are handled;
 * lines that are not KEY=VALUE are ignored, as os-release(5) asks.
 * `*id` and `*version_id` receive copies (caller frees) or NULL if absent.
 */
void lp_osinfo_parse_os_release(char **id, char **version_id, const char *text, size_t len);

/*
 * Detect the OS string under `root` (NULL means "/"). `out` receives it and
 * `source` the file it came from, or "uname" (both caller frees).
 * Returns LP_ERR naming the files tried and the --os flag when nothing fits.
 */
int lp_osinfo_detect(char **out, char **source, const char *root, struct lp_error *err) LP_WUR;

#endif
