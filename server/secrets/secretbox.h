/* secretbox.h - secrets at rest: settings such as API keys are stored in the
 * database only as libsodium crypto_secretbox output (nonce || MAC || cipher)
 * under a 32-byte key kept in its own file (<data_dir>/secret.key, 0600),
 * apart from the database, so a copied database file reveals nothing.
 *
 * Threading: an sh_secrets is shared by every thread of the daemon.  The key
 * file is read (or created) lazily on the first seal/open, under a mutex;
 * after that the key is immutable and seal/open only read it. */
#ifndef SH_SECRETS_SECRETBOX_H
#define SH_SECRETS_SECRETBOX_H

#include <stddef.h>
#include <stdint.h>

#include "sh-error.h"

typedef struct sh_secrets sh_secrets;

/* Does not touch the file yet: the key is created on first use. */
sh_status sh_secrets_create(const char *key_path, sh_secrets **out, sh_error *err);
void sh_secrets_destroy(sh_secrets *s);

/* Seal len bytes; *out (malloc'd, caller frees) holds nonce + ciphertext. */
sh_status sh_secrets_seal(sh_secrets *s, const void *plain, size_t len, uint8_t **out,
                          size_t *out_len, sh_error *err);
/* Open a sealed blob into a NUL-terminated string (caller frees with
 * sh_secrets_free_plain, which wipes it).  A blob sealed under another key
 * or tampered with gives SH_ERR_PERMISSION. */
sh_status sh_secrets_open(sh_secrets *s, const void *sealed, size_t len, char **plain,
                          sh_error *err);
/* Wipe and free a secret string (NULL is fine). */
void sh_secrets_free_plain(char *plain);

#endif
