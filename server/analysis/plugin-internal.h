/* plugin-internal.h - the plugin object shared by plugin-conf.c (loading),
 * plugin.c (protocol, validation, adapter) and plugin-set.c (job glue). */
#ifndef SH_AN_PLUGIN_INTERNAL_H
#define SH_AN_PLUGIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/plugin.h"

#define SH_AN_PLUGIN_MAX_ARGS 64
#define SH_AN_PLUGIN_MAX_ENV 32

struct sh_an_plugin {
    char name[SH_AN_PLUGIN_NAME_MAX + 1];
    char *argv[SH_AN_PLUGIN_MAX_ARGS + 1]; /* argv[0] absolute; NULL-terminated */
    char *envp[SH_AN_PLUGIN_MAX_ENV + 8];  /* minimal environment + env = lines */
    unsigned fields;
    int64_t timeout_ms;
    int64_t kill_grace_ms;
    size_t batch_size;
    size_t max_output;
    bool send_all_entities;
    sh_an_analyzer adapter; /* name points at name, user_data at this */
};

/* The per-scene analyze function behind sh_an_plugin_analyzer(). */
sh_status sh_an_plugin_analyze_one(const sh_an_analyzer *self, const sh_an_index *index,
                                   const sh_an_scene *scene, const sh_an_options *options,
                                   sh_an_results *out, sh_error *err);

#endif
