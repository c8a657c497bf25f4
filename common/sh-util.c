#include "sh-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t sh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sh_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sh_monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void sh_sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

int sh_strlcpy(char *dst, const char *src, size_t size)
{
    if (size == 0)
        return -1;
    size_t n = strlen(src);
    if (n >= size) {
        memcpy(dst, src, size - 1);
        dst[size - 1] = '\0';
        return -1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

bool sh_str_empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

bool sh_str_has_prefix(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

char *sh_strdup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = NULL;
    int rc = vasprintf(&out, fmt, ap);
    va_end(ap);
    return rc < 0 ? NULL : out;
}

sh_status sh_mkdir_p(const char *path, unsigned mode, sh_error *err)
{
    char buf[4096];
    if (sh_strlcpy(buf, path, sizeof buf) != 0)
        return sh_error_set(err, SH_ERR_INVALID, "path too long: %s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, mode) != 0 && errno != EEXIST)
            return sh_error_set(err, SH_ERR_IO, "cannot create %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, mode) != 0 && errno != EEXIST)
        return sh_error_set(err, SH_ERR_IO, "cannot create %s: %s", buf, strerror(errno));
    return SH_OK;
}

sh_status sh_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode,
                               sh_error *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return sh_error_set(err, SH_ERR_INVALID, "path too long: %s", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return sh_error_set(err, SH_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return sh_error_set(err, SH_ERR_IO, "cannot write %s: %s", tmp, strerror(e));
        }
        p += n;
        left -= (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(tmp);
        return sh_error_set(err, SH_ERR_IO, "cannot sync %s: %s", tmp, strerror(errno));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return sh_error_set(err, SH_ERR_IO, "cannot rename to %s: %s", path, strerror(e));
    }
    return SH_OK;
}

sh_status sh_read_file(const char *path, size_t max_len, char **data, size_t *len, sh_error *err)
{
    *data = NULL;
    FILE *f = fopen(path, "rbe");
    if (!f)
        return sh_error_set(err, errno == ENOENT ? SH_ERR_NOT_FOUND : SH_ERR_IO, "cannot open %s: %s",
                            path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    sh_status st = SH_OK;
    if (!buf) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > max_len) {
                st = sh_error_set(err, SH_ERR_TOO_LARGE, "%s is larger than %zu bytes", path, max_len);
                goto out;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                st = sh_error_set(err, SH_ERR_NOMEM, NULL);
                goto out;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        st = sh_error_set(err, SH_ERR_IO, "cannot read %s", path);
        goto out;
    }
    if (n > max_len) {
        st = sh_error_set(err, SH_ERR_TOO_LARGE, "%s is larger than %zu bytes", path, max_len);
        goto out;
    }
    buf[n] = '\0';
    *data = buf;
    buf = NULL;
    if (len)
        *len = n;
out:
    free(buf);
    fclose(f);
    return st;
}

/* ------------------------------------------------------------------ arena */

#define ARENA_CHUNK 8192

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    max_align_t data[];
};

struct sh_arena {
    struct arena_chunk *head;
};

sh_arena *sh_arena_create(void)
{
    return calloc(1, sizeof(sh_arena));
}

void sh_arena_destroy(sh_arena *arena)
{
    if (!arena)
        return;
    struct arena_chunk *c = arena->head;
    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(arena);
}

void *sh_arena_alloc(sh_arena *arena, size_t size)
{
    const size_t align = _Alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    struct arena_chunk *c = arena->head;
    if (!c || c->size - c->used < size) {
        size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->size = cap;
        c->used = 0;
        c->next = arena->head;
        arena->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *sh_arena_strndup(sh_arena *arena, const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, n);
    char *p = sh_arena_alloc(arena, len + 1);
    if (p)
        memcpy(p, s, len);
    return p;
}

char *sh_arena_strdup(sh_arena *arena, const char *s)
{
    return s ? sh_arena_strndup(arena, s, strlen(s)) : NULL;
}

char *sh_arena_printf(sh_arena *arena, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = NULL;
    if (n >= 0 && (p = sh_arena_alloc(arena, (size_t)n + 1)))
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void **sh_arena_ptrs(sh_arena *arena, size_t n)
{
    return sh_arena_alloc(arena, (n ? n : 1) * sizeof(void *));
}
