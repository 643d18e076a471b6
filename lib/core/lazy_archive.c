/* lazy_archive.c - libarchive, loaded on first use (see lazy.h) */
/* SPDX-License-Identifier: MIT */
#include <archive.h>
#include <archive_entry.h>

#include "lib/core/lazy.h"

#define LP_LAZY_SONAME LP_SONAME_ARCHIVE

typedef struct archive A;
typedef struct archive_entry E;

#define ARCHIVE_FUNCS(FN, VFN, HAND)                                                               \
	FN(const char *, archive_error_string, (A * a), (a))                                       \
	FN(A *, archive_read_new, (void), ())                                                      \
	FN(int, archive_read_free, (A * a), (a))                                                   \
	FN(int, archive_read_support_filter_all, (A * a), (a))                                     \
	FN(int, archive_read_support_format_tar, (A * a), (a))                                     \
	FN(int, archive_read_support_format_zip, (A * a), (a))                                     \
	FN(int, archive_read_open_filename, (A * a, const char *name, size_t block),               \
	   (a, name, block))                                                                       \
	FN(int, archive_read_open_memory, (A * a, const void *buf, size_t size), (a, buf, size))   \
	FN(int, archive_read_next_header, (A * a, E * *e), (a, e))                                 \
	FN(la_ssize_t, archive_read_data, (A * a, void *buf, size_t size), (a, buf, size))         \
	FN(int, archive_read_data_block,                                                           \
	   (A * a, const void **buf, size_t *size, la_int64_t *offset), (a, buf, size, offset))    \
	FN(int, archive_read_data_skip, (A * a), (a))                                              \
	FN(A *, archive_write_new, (void), ())                                                     \
	FN(int, archive_write_free, (A * a), (a))                                                  \
	FN(int, archive_write_close, (A * a), (a))                                                 \
	FN(int, archive_write_set_format_zip, (A * a), (a))                                        \
	FN(int, archive_write_set_format_pax_restricted, (A * a), (a))                             \
	FN(int, archive_write_set_bytes_in_last_block, (A * a, int n), (a, n))                     \
	FN(int, archive_write_open_fd, (A * a, int fd), (a, fd))                                   \
	FN(int, archive_write_open_filename, (A * a, const char *name), (a, name))                 \
	FN(int, archive_write_open2,                                                               \
	   (A * a, void *data, archive_open_callback *o, archive_write_callback *w,                \
	    archive_close_callback *c, archive_free_callback *f),                                  \
	   (a, data, o, w, c, f))                                                                  \
	FN(int, archive_write_header, (A * a, E * e), (a, e))                                      \
	FN(la_ssize_t, archive_write_data, (A * a, const void *buf, size_t n), (a, buf, n))        \
	FN(la_ssize_t, archive_write_data_block,                                                   \
	   (A * a, const void *buf, size_t n, la_int64_t off), (a, buf, n, off))                   \
	FN(int, archive_write_finish_entry, (A * a), (a))                                          \
	FN(A *, archive_write_disk_new, (void), ())                                                \
	FN(int, archive_write_disk_set_options, (A * a, int flags), (a, flags))                    \
	FN(int, archive_write_disk_set_standard_lookup, (A * a), (a))                              \
	FN(E *, archive_entry_new, (void), ())                                                     \
	VFN(archive_entry_free, (E * e), (e))                                                      \
	FN(E *, archive_entry_clear, (E * e), (e))                                                 \
	FN(const char *, archive_entry_pathname, (E * e), (e))                                     \
	FN(const char *, archive_entry_symlink, (E * e), (e))                                      \
	FN(const char *, archive_entry_hardlink, (E * e), (e))                                     \
	FN(__LA_MODE_T, archive_entry_filetype, (E * e), (e))                                      \
	FN(__LA_MODE_T, archive_entry_mode, (E * e), (e))                                          \
	FN(__LA_MODE_T, archive_entry_perm, (E * e), (e))                                          \
	FN(la_int64_t, archive_entry_size, (E * e), (e))                                           \
	FN(time_t, archive_entry_mtime, (E * e), (e))                                              \
	VFN(archive_entry_set_pathname, (E * e, const char *s), (e, s))                            \
	VFN(archive_entry_set_symlink, (E * e, const char *s), (e, s))                             \
	VFN(archive_entry_set_hardlink, (E * e, const char *s), (e, s))                            \
	VFN(archive_entry_set_filetype, (E * e, unsigned int t), (e, t))                           \
	VFN(archive_entry_set_mode, (E * e, __LA_MODE_T m), (e, m))                                \
	VFN(archive_entry_set_perm, (E * e, __LA_MODE_T m), (e, m))                                \
	VFN(archive_entry_set_size, (E * e, la_int64_t n), (e, n))                                 \
	VFN(archive_entry_set_mtime, (E * e, time_t t, long ns), (e, t, ns))                       \
	VFN(archive_entry_set_uid, (E * e, la_int64_t id), (e, id))                                \
	VFN(archive_entry_set_gid, (E * e, la_int64_t id), (e, id))                                \
	VFN(archive_entry_set_rdevmajor, (E * e, dev_t d), (e, d))                                 \
	VFN(archive_entry_set_rdevminor, (E * e, dev_t d), (e, d))

LP_LAZY_LIBRARY(ARCHIVE_FUNCS, NULL)
