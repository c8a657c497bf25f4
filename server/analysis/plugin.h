/* plugin.h - analyzer plugins: external programs that analyze batches of
 * scenes (protocol: examples/README.md).
 *
 * A plugin is declared by a file NAME.conf in the daemon's plugins_dir:
 *
 *     command    = /usr/lib/stashhog/plugins/nfo-reader --lang en   (required)
 *     fields     = title, date, performers     (required: what it may propose)
 *     timeout_s  = 30       (per batch, 1..3600; default 30)
 *     batch_size = 100      (scenes per run, 1..1000; default 100)
 *     max_output_kb = 8192  (stdout cap, 1..262144; default 8192)
 *     entities   = candidates   (or "all": send every studio/performer/tag)
 *     env        = KEY=VALUE    (repeatable; added to the minimal environment)
 *
 * The command is split like a shell would split words (quotes and
 * backslashes), never run through a shell; a relative path is relative to
 * plugins_dir, a bare name is looked up in /usr/local/bin:/usr/bin:/bin.
 *
 * Per batch the daemon starts the command once (see plugin-proc.h), writes
 * one JSON request to its stdin and reads one JSON response from stdout.
 * The response is validated like the LLM's answers: scene ids must be in
 * the batch, entity ids must exist and not be ignore_auto_tag, new names
 * only when the job allows new entities (names Stash knows are mapped to
 * the existing entity), confidences clamped to 0..1, dates valid, text
 * length capped.  Invalid proposals are dropped and counted; a crash, a
 * hang, a non-zero exit or unparsable output fails the batch.
 *
 * Threading: an sh_an_plugin is immutable after creation; runs on any
 * number of threads at once (each run is its own process).  A plugin set
 * belongs to one analysis job (one thread). */
#ifndef SH_AN_PLUGIN_H
#define SH_AN_PLUGIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/analysis.h"
#include "sh-error.h"

#define SH_AN_PLUGIN_PROTOCOL 1
#define SH_AN_PLUGIN_NAME_MAX 48

typedef struct sh_an_plugin sh_an_plugin;

/* Reads a NAME.conf (the name is the file name without ".conf"). */
sh_status sh_an_plugin_load(const char *conf_path, sh_an_plugin **out, sh_error *err);
void sh_an_plugin_destroy(sh_an_plugin *plugin);

const char *sh_an_plugin_name(const sh_an_plugin *plugin);
unsigned sh_an_plugin_fields(const sh_an_plugin *plugin); /* SH_AN_FIELD_BIT mask */
size_t sh_an_plugin_batch_size(const sh_an_plugin *plugin);

/* Test knob: kill grace period after SIGTERM (default 500 ms). */
void sh_an_plugin_set_kill_grace(sh_an_plugin *plugin, int64_t ms);

/* What happened in runs of a plugin (added to by each run). */
typedef struct sh_an_plugin_stats {
    int64_t runs;        /* processes started */
    int64_t scenes;      /* scenes sent */
    int64_t answered;    /* scenes with an entry in a response */
    int64_t proposals;   /* proposals added to results */
    int64_t dropped;     /* invalid proposals or items thrown away */
    int64_t elapsed_ms;  /* wall time spent in runs */
    char first_drop[160]; /* why the first one was dropped ("" = none) */
} sh_an_plugin_stats;

/* Runs the plugin over scenes (at most its batch_size: one process).
 * results[i] belongs to scenes[i]; proposals are appended, attributed to
 * the plugin's name, for its fields that options->fields enables.
 * Returns SH_OK (stats updated), SH_ERR_CANCELLED, or the failure with a
 * clear message (the plugin's stderr tail included; nothing is added to
 * results then). */
sh_status sh_an_plugin_run(const sh_an_plugin *plugin, const sh_an_index *index, const sh_an_scene *scenes,
                           size_t n, const sh_an_options *options, sh_an_results *const *results,
                           int (*cancelled)(void *), void *cancel_user, sh_an_plugin_stats *stats,
                           sh_error *err);

/* The plugin as an sh_an_analyzer (one process per scene, for sh_an_run
 * callers; the analyze job uses the batch interface instead).  Valid
 * while the plugin lives. */
const sh_an_analyzer *sh_an_plugin_analyzer(const sh_an_plugin *plugin);

/* ------------------------------------------------------------ job glue */

/* The plugins of one analysis job. */
typedef struct sh_an_plugin_set sh_an_plugin_set;

/* Loads every *.conf in dir (NULL or "" = no plugins).  A file that does
 * not load becomes a failed entry (reported, never run); a missing or
 * unreadable dir is one failed entry too.  Fails only on OOM. */
sh_status sh_an_plugin_set_load(const char *dir, sh_an_plugin_set **out, sh_error *err);
void sh_an_plugin_set_destroy(sh_an_plugin_set *set);
size_t sh_an_plugin_set_count(const sh_an_plugin_set *set);

/* Registers the plugins in registry (which must hold the built-ins) and
 * picks what runs: names (n may be 0 = every analyzer, plugins included)
 * are checked against the registry and the plugins (SH_ERR_NOT_FOUND for
 * an unknown name, SH_ERR_INVALID for a plugin whose .conf is broken).
 * Sets options->analyzers to the selected non-plugin analyzers (owned by
 * the set), so sh_an_run() never starts a process per scene. */
sh_status sh_an_plugin_set_select(sh_an_plugin_set *set, sh_an_registry *registry, const char *const *names,
                                  size_t n, sh_an_options *options, sh_error *err);

/* Runs each selected plugin over the scenes in batches of its batch_size.
 * A plugin that fails is marked failed (message kept, logged) and not run
 * again in this job; the others go on.  Returns SH_OK, SH_ERR_CANCELLED or
 * SH_ERR_NOMEM only. */
sh_status sh_an_plugin_set_run(sh_an_plugin_set *set, const sh_an_index *index, const sh_an_scene *scenes,
                               size_t n, const sh_an_options *options, sh_an_results *const *results,
                               int (*cancelled)(void *), void *cancel_user, sh_error *err);

/* Checks analyzer names (built-ins, or plugins declared in plugins_dir)
 * as sh_an_plugin_set_select() would when the job runs, so a request or a
 * schedule naming an unknown or broken analyzer is refused up front. */
sh_status sh_an_analyzer_names_check(const char *plugins_dir, const char *const *names, size_t n, sh_error *err);

/* Selected plugins that failed (broken .conf or a failed run). */
size_t sh_an_plugin_set_failed(const sh_an_plugin_set *set);
/* Per selected plugin: {"NAME": {"runs","scenes","answered","proposals",
 * "dropped","elapsed_ms","failed","error"?,"first_drop"?}}; NULL if none. */
json_t *sh_an_plugin_set_report(const sh_an_plugin_set *set);
/* "plugin NAME failed: MESSAGE" for the first failure, or NULL. */
const char *sh_an_plugin_set_first_failure(const sh_an_plugin_set *set, char *buf, size_t len);

#endif
