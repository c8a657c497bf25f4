/* stash-client-private.h - internals of the stash module, shared by its files
 * and its tests.  Other modules include only stash-client.h. */
#ifndef SH_STASH_CLIENT_PRIVATE_H
#define SH_STASH_CLIENT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sh-error.h"
#include "stash/stash-client.h"

/* One .graphql file: name = file name without extension. */
typedef struct sh_stash_gql_source {
    const char *name;
    const char *text;
} sh_stash_gql_source;

/* Generated at build time by embed-graphql.cmake; each array ends with
 * {NULL, NULL}, which the count excludes. */
extern const sh_stash_gql_source sh_stash_embedded_operations[];
extern const size_t sh_stash_embedded_operations_count;
extern const sh_stash_gql_source sh_stash_embedded_fragments[];
extern const size_t sh_stash_embedded_fragments_count;

/* ---- documents (stash-documents.c) ---- */

/* The composed documents: each operation's text followed by every fragment it
 * spreads, transitively, each exactly once, in order of first use. */
typedef struct sh_stash_catalog sh_stash_catalog;

/* Fails with SH_ERR_INVALID when an operation or fragment spreads a fragment
 * that does not exist, or when a name is duplicated. */
sh_status sh_stash_catalog_create(const sh_stash_gql_source *ops, size_t n_ops,
                                  const sh_stash_gql_source *frags, size_t n_frags,
                                  sh_stash_catalog **out, sh_error *err);
void sh_stash_catalog_destroy(sh_stash_catalog *cat);
/* The composed document of an operation, or NULL if unknown.  Owned by cat. */
const char *sh_stash_catalog_document(const sh_stash_catalog *cat, const char *operation);
size_t sh_stash_catalog_count(const sh_stash_catalog *cat);
/* Name of the i-th operation (i < count). */
const char *sh_stash_catalog_name(const sh_stash_catalog *cat, size_t i);

/* ---- client (stash-client.c) ---- */

/* Like sh_stash_client_create but with an explicit operation table instead of
 * the embedded one (tests). */
sh_status sh_stash_client_create_with_sources(const sh_stash_config *cfg,
                                              const sh_stash_gql_source *ops, size_t n_ops,
                                              const sh_stash_gql_source *frags, size_t n_frags,
                                              sh_stash_client **out, sh_error *err);

#endif
