/* token.h - the shared secret that tcp clients present with every request.
 * Generated on first need (32 random bytes, hex), stored 0600. */
#ifndef SH_SECRETS_TOKEN_H
#define SH_SECRETS_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "sh-error.h"

#define SH_TOKEN_LEN 64 /* hex characters */

/* Read the token at path, creating it if missing (or replacing it if rotate). */
sh_status sh_token_load_or_create(const char *path, bool rotate, char out[SH_TOKEN_LEN + 1],
                                  sh_error *err);
/* Constant-time comparison; false for NULL. */
bool sh_token_equal(const char *expected, const char *given);

#endif
