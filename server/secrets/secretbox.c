#include "secrets/secretbox.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sh-log.h"
#include "sh-util.h"

#define LOG "secrets"

struct sh_secrets {
    pthread_mutex_t lock;
    bool loaded;
    char *path;
    unsigned char key[crypto_secretbox_KEYBYTES];
};

sh_status sh_secrets_create(const char *key_path, sh_secrets **out, sh_error *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return sh_error_set(err, SH_ERR_INTERNAL, "libsodium failed to initialise");
    sh_secrets *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(key_path))) {
        free(s);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    pthread_mutex_init(&s->lock, NULL);
    *out = s;
    return SH_OK;
}

void sh_secrets_destroy(sh_secrets *s)
{
    if (!s)
        return;
    sodium_memzero(s->key, sizeof s->key);
    pthread_mutex_destroy(&s->lock);
    free(s->path);
    free(s);
}

/* Read the key file, or create it when missing.  Called with s->lock held. */
static sh_status load_key(sh_secrets *s, sh_error *err)
{
    char *data = NULL;
    size_t len = 0;
    sh_status st = sh_read_file(s->path, 4096, &data, &len, err);
    if (st == SH_OK) {
        bool ok = len == sizeof s->key;
        if (ok)
            memcpy(s->key, data, sizeof s->key);
        sodium_memzero(data, len);
        free(data);
        if (!ok)
            return sh_error_set(err, SH_ERR_INVALID,
                                "%s is not a %zu-byte secret key; restore it from a backup "
                                "(removing it makes stored secrets unreadable)",
                                s->path, sizeof s->key);
        struct stat sb;
        if (stat(s->path, &sb) == 0 && (sb.st_mode & 077))
            sh_warn(LOG, "%s is readable by others; run chmod 600 on it", s->path);
        s->loaded = true;
        return SH_OK;
    }
    if (st != SH_ERR_NOT_FOUND)
        return st;
    sh_error_clear(err);
    crypto_secretbox_keygen(s->key);
    st = sh_write_file_atomic(s->path, s->key, sizeof s->key, 0600, err);
    if (st != SH_OK) {
        sodium_memzero(s->key, sizeof s->key);
        sh_error_prefix(err, "cannot create the secret key");
        return st;
    }
    sh_info(LOG, "created secret key %s", s->path);
    s->loaded = true;
    return SH_OK;
}

static sh_status ensure_key(sh_secrets *s, sh_error *err)
{
    pthread_mutex_lock(&s->lock);
    sh_status st = s->loaded ? SH_OK : load_key(s, err);
    pthread_mutex_unlock(&s->lock);
    return st;
}

sh_status sh_secrets_seal(sh_secrets *s, const void *plain, size_t len, uint8_t **out,
                          size_t *out_len, sh_error *err)
{
    *out = NULL;
    *out_len = 0;
    sh_status st = ensure_key(s, err);
    if (st != SH_OK)
        return st;
    size_t n = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
    uint8_t *buf = malloc(n);
    if (!buf)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES, plain, len, buf, s->key);
    *out = buf;
    *out_len = n;
    return SH_OK;
}

sh_status sh_secrets_open(sh_secrets *s, const void *sealed, size_t len, char **plain,
                          sh_error *err)
{
    *plain = NULL;
    sh_status st = ensure_key(s, err);
    if (st != SH_OK)
        return st;
    const size_t head = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
    if (!sealed || len < head)
        return sh_error_set(err, SH_ERR_PERMISSION, "sealed secret is truncated");
    size_t n = len - head;
    char *buf = malloc(n + 1);
    if (!buf)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    const uint8_t *in = sealed;
    if (crypto_secretbox_open_easy((unsigned char *)buf, in + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, in, s->key) != 0) {
        free(buf);
        return sh_error_set(err, SH_ERR_PERMISSION,
                            "a stored secret cannot be decrypted with %s (wrong key file?); set it again",
                            s->path);
    }
    buf[n] = '\0';
    *plain = buf;
    return SH_OK;
}

void sh_secrets_free_plain(char *plain)
{
    if (!plain)
        return;
    sodium_memzero(plain, strlen(plain));
    free(plain);
}
