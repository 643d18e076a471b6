/* version.h - lp's version string */
/* SPDX-License-Identifier: MIT */
#ifndef LP_VERSION_H
#define LP_VERSION_H

#define LP_VERSION "0.1.0"

#endif
