#include "secrets/token.h"

#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#include "sh-log.h"
#include "sh-util.h"

sh_status sh_token_load_or_create(const char *path, bool rotate, char out[SH_TOKEN_LEN + 1],
                                  sh_error *err)
{
    if (sodium_init() < 0)
        return sh_error_set(err, SH_ERR_INTERNAL, "libsodium failed to initialise");
    if (!rotate) {
        char *data = NULL;
        size_t len = 0;
        sh_status st = sh_read_file(path, 4096, &data, &len, err);
        if (st == SH_OK) {
            while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
                data[--len] = '\0';
            bool ok = len == SH_TOKEN_LEN && strspn(data, "0123456789abcdef") == len;
            if (ok)
                memcpy(out, data, SH_TOKEN_LEN + 1);
            sodium_memzero(data, len);
            free(data);
            struct stat sb;
            if (ok && stat(path, &sb) == 0 && (sb.st_mode & 077))
                sh_warn("auth", "%s is readable by others; run chmod 600 on it", path);
            if (ok)
                return SH_OK;
            return sh_error_set(err, SH_ERR_INVALID, "%s does not hold a valid token; remove it or use --rotate-token", path);
        }
        if (st != SH_ERR_NOT_FOUND)
            return st;
    }
    unsigned char raw[SH_TOKEN_LEN / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, SH_TOKEN_LEN + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    char line[SH_TOKEN_LEN + 2];
    memcpy(line, out, SH_TOKEN_LEN);
    line[SH_TOKEN_LEN] = '\n';
    sh_status st = sh_write_file_atomic(path, line, SH_TOKEN_LEN + 1, 0600, err);
    sodium_memzero(line, sizeof line);
    if (st == SH_OK)
        sh_info("auth", "%s a token in %s", rotate ? "rotated" : "generated", path);
    return st;
}

bool sh_token_equal(const char *expected, const char *given)
{
    if (!expected || !given)
        return false;
    size_t a = strlen(expected), b = strlen(given);
    if (a != b || a == 0)
        return false;
    return sodium_memcmp(expected, given, a) == 0;
}
