/* sh-util.h - small helpers shared by every layer: clocks, strings, files,
 * and a bump arena that owns everything hanging off one protobuf reply. */
#ifndef SH_UTIL_H
#define SH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sh-error.h"

int64_t sh_now_ms(void);       /* wall clock, Unix ms */
int64_t sh_monotonic_ms(void); /* for durations and deadlines */
int64_t sh_monotonic_us(void);
void sh_sleep_ms(int64_t ms);

/* snprintf into a fixed buffer; returns 0 if it fitted, -1 if truncated. */
int sh_strlcpy(char *dst, const char *src, size_t size);
bool sh_str_empty(const char *s);
bool sh_str_has_prefix(const char *s, const char *prefix);
char *sh_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* mkdir -p with the given mode for directories it creates. */
sh_status sh_mkdir_p(const char *path, unsigned mode, sh_error *err);
/* Write a whole file atomically (tmp + rename) with the given mode. */
sh_status sh_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode,
                               sh_error *err);
/* Read a whole file (NUL-terminated); *len excludes the NUL. Caps at max_len. */
sh_status sh_read_file(const char *path, size_t max_len, char **data, size_t *len, sh_error *err);

/* Arena: many small allocations, one free.  Not thread-safe. */
typedef struct sh_arena sh_arena;
sh_arena *sh_arena_create(void);
void sh_arena_destroy(sh_arena *arena);
void *sh_arena_alloc(sh_arena *arena, size_t size); /* zeroed; NULL only on OOM */
char *sh_arena_strdup(sh_arena *arena, const char *s);
char *sh_arena_strndup(sh_arena *arena, const char *s, size_t n);
char *sh_arena_printf(sh_arena *arena, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Array of n pointers, zeroed. */
void **sh_arena_ptrs(sh_arena *arena, size_t n);

#define SH_ARENA_NEW(arena, type) ((type *)sh_arena_alloc((arena), sizeof(type)))

#endif
