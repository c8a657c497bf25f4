#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sh-util.h"
#include "sh-wire.h"

enum key_type { K_PATH, K_STR, K_INT, K_BOOL, K_URLS, K_LOGLEVEL };

struct key {
    const char *name; /* file key; flag is --name with '_' -> '-'; env is STASHHOG_NAME */
    enum key_type type;
    size_t offset;
    size_t count_offset; /* for K_URLS */
    int min, max;        /* for K_INT */
    const char *help;
};

#define OFF(f) offsetof(sh_config, f)

static const struct key keys[] = {
    {"data_dir", K_PATH, OFF(data_dir), 0, 0, 0, "directory of the database and token"},
    {"runtime_dir", K_PATH, OFF(runtime_dir), 0, 0, 0, "directory of the ipc sockets"},
    {"db_path", K_PATH, OFF(db_path), 0, 0, 0, "SQLite database file (default <data_dir>/stashhog.db)"},
    {"listen", K_URLS, OFF(listen), OFF(n_listen), 0, 0,
     "extra RPC listen URL, e.g. tcp://0.0.0.0:7710 (repeatable; env: comma-separated)"},
    {"events_listen", K_URLS, OFF(events_listen), OFF(n_events_listen), 0, 0,
     "extra event URL (default: each tcp listen URL with port + 1)"},
    {"ipc", K_BOOL, OFF(ipc), 0, 0, 0, "listen on the local ipc:// sockets (default true)"},
    {"rpc_workers", K_INT, OFF(rpc_workers), 0, 1, 64, "RPC worker threads (default 4)"},
    {"job_workers", K_INT, OFF(job_workers), 0, 1, 16, "job worker threads (default 2)"},
    {"job_max_attempts", K_INT, OFF(job_max_attempts), 0, 1, 20, "attempts for transient job failures (default 3)"},
    {"job_retention_days", K_INT, OFF(job_retention_days), 0, 1, 3650, "prune finished jobs older than this (default 30)"},
    {"enable_debug_jobs", K_BOOL, OFF(enable_debug_jobs), 0, 0, 0,
     "register the debug_sleep job type; for tests only (default false)"},
    {"log_level", K_LOGLEVEL, OFF(log_level), 0, 0, 0, "debug, info, warning or error (default info)"},
    {"stash_url", K_STR, OFF(stash_url), 0, 0, 0, "default Stash URL when the stash.url setting is unset"},
    {"token_file", K_STR, OFF(token_file), 0, 0, 0, "file of the tcp auth token (default <data_dir>/token)"},
    {"tls_cert_key_file", K_STR, OFF(tls_cert_key_file), 0, 0, 0, "PEM certificate + key for tls+tcp:// listeners"},
    {"tls_ca_file", K_STR, OFF(tls_ca_file), 0, 0, 0, "CA that client certificates must chain to (tls+tcp://)"},
    {"metrics_listen", K_STR, OFF(metrics_listen), 0, 0, 0,
     "serve Prometheus metrics over HTTP on HOST:PORT, e.g. 127.0.0.1:9477 (default off)"},
    {"webhook_max_attempts", K_INT, OFF(webhook_max_attempts), 0, 1, 50, "webhook delivery attempts before giving up (default 6)"},
    {"webhook_retry_ms", K_INT, OFF(webhook_retry_ms), 0, 10, 3600000,
     "first webhook retry delay in ms, doubled per attempt up to 1 h (default 5000)"},
    {"plugins_dir", K_STR, OFF(plugins_dir), 0, 0, 0,
     "directory of analyzer plugin declarations, one NAME.conf each (default none)"},
};

#define N_KEYS (sizeof keys / sizeof keys[0])

void sh_config_init(sh_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->ipc = true;
    cfg->rpc_workers = 4;
    cfg->job_workers = 2;
    cfg->job_max_attempts = 3;
    cfg->job_retention_days = 30;
    cfg->log_level = SH_LOG_INFO;
    cfg->webhook_max_attempts = 6;
    cfg->webhook_retry_ms = 5000;
}

void sh_config_fini(sh_config *cfg)
{
    for (size_t i = 0; i < cfg->n_listen; i++)
        free(cfg->listen[i]);
    for (size_t i = 0; i < cfg->n_events_listen; i++)
        free(cfg->events_listen[i]);
    free(cfg->stash_url);
    free(cfg->token_file);
    free(cfg->tls_cert_key_file);
    free(cfg->tls_ca_file);
    free(cfg->metrics_listen);
    free(cfg->plugins_dir);
    memset(cfg, 0, sizeof *cfg);
}

static const struct key *find_key(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static sh_status parse_bool(const char *key, const char *v, bool *out, sh_error *err)
{
    if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"))
        *out = true;
    else if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off"))
        *out = false;
    else
        return sh_error_set(err, SH_ERR_INVALID, "%s: '%s' is not a boolean", key, v);
    return SH_OK;
}

static sh_status add_urls(const struct key *k, sh_config *cfg, const char *value, sh_error *err)
{
    char **list = (char **)((char *)cfg + k->offset);
    size_t *n = (size_t *)((char *)cfg + k->count_offset);
    int *owner = k->offset == OFF(listen) ? &cfg->listen_source_ : &cfg->events_source_;
    /* A list from a higher-precedence source replaces, not extends, the lower one. */
    if (*owner != cfg->source_) {
        for (size_t i = 0; i < *n; i++)
            free(list[i]);
        *n = 0;
        *owner = cfg->source_;
    }
    char *copy = strdup(value);
    if (!copy)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = SH_OK;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        if (!strstr(tok, "://")) {
            st = sh_error_set(err, SH_ERR_INVALID, "%s: '%s' is not a URL (tcp://HOST:PORT)", k->name, tok);
            break;
        }
        if (*n >= SH_CONFIG_MAX_URLS) {
            st = sh_error_set(err, SH_ERR_INVALID, "%s: at most %d URLs", k->name, SH_CONFIG_MAX_URLS);
            break;
        }
        if (!(list[*n] = strdup(tok))) {
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
            break;
        }
        (*n)++;
    }
    free(copy);
    return st;
}

sh_status sh_config_set(sh_config *cfg, const char *name, const char *value, sh_error *err)
{
    const struct key *k = find_key(name);
    if (!k)
        return sh_error_set(err, SH_ERR_INVALID, "unknown configuration key '%s'", name);
    void *field = (char *)cfg + k->offset;
    switch (k->type) {
    case K_PATH:
        if (sh_strlcpy(field, value, SH_PATH_MAX) != 0)
            return sh_error_set(err, SH_ERR_INVALID, "%s: path too long", name);
        return SH_OK;
    case K_STR: {
        char **s = field;
        free(*s);
        *s = sh_str_empty(value) ? NULL : strdup(value);
        return SH_OK;
    }
    case K_INT: {
        char *end = NULL;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < k->min || v > k->max)
            return sh_error_set(err, SH_ERR_INVALID, "%s: '%s' is not a number from %d to %d", name,
                                value, k->min, k->max);
        *(int *)field = (int)v;
        return SH_OK;
    }
    case K_BOOL:
        return parse_bool(name, value, field, err);
    case K_URLS:
        return add_urls(k, cfg, value, err);
    case K_LOGLEVEL: {
        int lvl = sh_log_level_parse(value);
        if (lvl < 0)
            return sh_error_set(err, SH_ERR_INVALID, "%s: '%s' is not debug, info, warning or error",
                                name, value);
        *(sh_log_level *)field = (sh_log_level)lvl;
        return SH_OK;
    }
    }
    return SH_ERR_INTERNAL;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

sh_status sh_config_load_file(sh_config *cfg, const char *path, sh_error *err)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return sh_error_set(err, errno == ENOENT ? SH_ERR_NOT_FOUND : SH_ERR_IO, "cannot read %s: %s",
                            path, strerror(errno));
    char line[2048];
    int lineno = 0;
    sh_status st = SH_OK;
    while (st == SH_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            st = sh_error_set(err, SH_ERR_INVALID, "%s:%d: expected key = value", path, lineno);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
            value[vl - 1] = '\0';
            value++;
        }
        if ((st = sh_config_set(cfg, key, value, err)) != SH_OK)
            sh_error_prefix(err, "%s:%d", path, lineno);
    }
    fclose(f);
    if (st == SH_OK)
        sh_strlcpy(cfg->config_file, path, sizeof cfg->config_file);
    return st;
}

sh_status sh_config_load_env(sh_config *cfg, sh_error *err)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        char env[64] = "STASHHOG_";
        size_t n = strlen(env);
        for (const char *p = keys[i].name; *p && n < sizeof env - 1; p++)
            env[n++] = (char)toupper((unsigned char)*p);
        env[n] = '\0';
        const char *v = getenv(env);
        if (!v)
            continue;
        sh_status st = sh_config_set(cfg, keys[i].name, v, err);
        if (st != SH_OK)
            return sh_error_prefix(err, "%s", env);
    }
    return SH_OK;
}

/* tcp://host:PORT -> tcp://host:PORT+1 (port 0 stays 0: the OS picks one). */
static char *derive_events_url(const char *url)
{
    const char *colon = strrchr(url, ':');
    if (!colon || colon < strstr(url, "://") + 3)
        return NULL;
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end || port < 0 || port > 65534)
        return NULL;
    return sh_strdup_printf("%.*s:%ld", (int)(colon - url), url, port ? port + 1 : 0);
}

sh_status sh_config_finish(sh_config *cfg, sh_error *err)
{
    sh_status st = SH_OK;
    if (cfg->data_dir[0] == '\0' && (st = sh_paths_data_dir(cfg->data_dir, sizeof cfg->data_dir, err)))
        return st;
    if (cfg->runtime_dir[0] == '\0' &&
        (st = sh_paths_runtime_dir(cfg->data_dir, cfg->runtime_dir, sizeof cfg->runtime_dir, err)))
        return st;
    if (cfg->db_path[0] == '\0' &&
        (size_t)snprintf(cfg->db_path, sizeof cfg->db_path, "%s/stashhog.db", cfg->data_dir) >=
            sizeof cfg->db_path)
        return sh_error_set(err, SH_ERR_INVALID, "data_dir too long");
    if (!cfg->token_file && !(cfg->token_file = sh_strdup_printf("%s/token", cfg->data_dir)))
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (cfg->n_events_listen == 0) {
        for (size_t i = 0; i < cfg->n_listen; i++) {
            char *ev = derive_events_url(cfg->listen[i]);
            if (!ev)
                return sh_error_set(err, SH_ERR_INVALID,
                                    "cannot derive an events URL from %s; set events_listen", cfg->listen[i]);
            cfg->events_listen[cfg->n_events_listen++] = ev;
        }
    }
    if (!cfg->ipc && cfg->n_listen == 0)
        return sh_error_set(err, SH_ERR_INVALID, "ipc is off and no listen URL is given: nothing to serve");
    return SH_OK;
}

static void print_help(FILE *out)
{
    fprintf(out, "Usage: stashhogd [OPTION]...\n"
                 "StashHog daemon: caches a Stash library, analyzes scenes into reviewable plans,\n"
                 "and applies them. Clients: stashhogctl, stashhog-gtk.\n\n"
                 "Options:\n"
                 "  --config PATH            read this config file\n");
    for (size_t i = 0; i < N_KEYS; i++) {
        char flag[64];
        size_t n = 0;
        for (const char *p = keys[i].name; *p && n < sizeof flag - 1; p++)
            flag[n++] = *p == '_' ? '-' : *p;
        flag[n] = '\0';
        fprintf(out, "  --%-22s %s\n", flag, keys[i].help);
    }
    fprintf(out, "  --show-token             print the token tcp clients need, then exit\n"
                 "  --rotate-token           replace the token (old clients are refused), then exit\n"
                 "  -h, --help               show this help\n"
                 "  -V, --version            show the version\n\n"
                 "Every option is also a config file key (listen = tcp://0.0.0.0:7710) and an\n"
                 "environment variable (STASHHOG_LISTEN). Precedence: flags > environment > file.\n");
}

static const char *find_config_path(int argc, char **argv, bool *explicit_path)
{
    static char buf[SH_PATH_MAX];
    *explicit_path = true;
    for (int i = 1; i < argc - 1; i++)
        if (!strcmp(argv[i], "--config"))
            return argv[i + 1];
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "--config=", 9))
            return argv[i] + 9;
    const char *v = getenv("STASHHOG_CONFIG");
    if (!sh_str_empty(v))
        return v;
    *explicit_path = false;
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (!sh_str_empty(xdg))
        snprintf(buf, sizeof buf, "%s/stashhog/stashhogd.conf", xdg);
    else if (!sh_str_empty(home))
        snprintf(buf, sizeof buf, "%s/.config/stashhog/stashhogd.conf", home);
    else
        buf[0] = '\0';
    if (buf[0] && access(buf, R_OK) == 0)
        return buf;
    return "/etc/stashhog/stashhogd.conf";
}

sh_config_result sh_config_load(sh_config *cfg, int argc, char **argv, void *out_stream,
                                sh_error *err)
{
    FILE *out = out_stream ? out_stream : stdout;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            print_help(out);
            return SH_CONFIG_EXIT_OK;
        }
        if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
            fprintf(out, "stashhogd %s (protocol %d)\n", STASHHOG_VERSION, (int)SH_PROTOCOL_VERSION);
            return SH_CONFIG_EXIT_OK;
        }
    }
    bool explicit_path = false;
    const char *path = find_config_path(argc, argv, &explicit_path);
    cfg->source_ = 1;
    sh_status st = sh_config_load_file(cfg, path, err);
    cfg->source_ = 2;
    if (st == SH_ERR_NOT_FOUND && !explicit_path)
        st = SH_OK;
    if (st == SH_OK)
        st = sh_config_load_env(cfg, err);
    cfg->source_ = 3;
    for (int i = 1; st == SH_OK && i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--show-token")) {
            cfg->show_token = true;
            continue;
        }
        if (!strcmp(arg, "--rotate-token")) {
            cfg->rotate_token = true;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0) {
            st = sh_error_set(err, SH_ERR_INVALID, "unexpected argument '%s' (see --help)", arg);
            break;
        }
        char name[64];
        const char *value = NULL;
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (len >= sizeof name) {
            st = sh_error_set(err, SH_ERR_INVALID, "unknown option '%s'", arg);
            break;
        }
        for (size_t j = 0; j < len; j++)
            name[j] = arg[2 + j] == '-' ? '_' : arg[2 + j];
        name[len] = '\0';
        if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            st = sh_error_set(err, SH_ERR_INVALID, "option '%s' needs a value", arg);
            break;
        }
        if (!strcmp(name, "config"))
            continue; /* already read */
        if (!find_key(name)) {
            st = sh_error_set(err, SH_ERR_INVALID, "unknown option '%s' (see --help)", arg);
            break;
        }
        st = sh_config_set(cfg, name, value, err);
    }
    if (st == SH_OK)
        st = sh_config_finish(cfg, err);
    return st == SH_OK ? SH_CONFIG_RUN : SH_CONFIG_EXIT_ERROR;
}
