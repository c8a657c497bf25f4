/* plugin-conf.c - a plugin's declaration (NAME.conf, see plugin.h): parsed
 * once into an immutable sh_an_plugin.  Errors name the file and line. */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/plugin-internal.h"
#include "sh-util.h"

#define BASE_PATH "PATH=/usr/local/bin:/usr/bin:/bin"

static bool name_ok(const char *s, size_t len)
{
    if (len == 0 || len > SH_AN_PLUGIN_NAME_MAX || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return false;
    return true;
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

/* Shell-like word splitting without expansion: '...' literal, "..." with
 * \" and \\ escapes, a backslash outside quotes escapes the next byte. */
static sh_status split_words(const char *s, char **argv, size_t max, size_t *n, sh_error *err)
{
    *n = 0;
    char *word = malloc(strlen(s) + 1);
    if (!word)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = SH_OK;
    while (st == SH_OK) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        size_t len = 0;
        char quote = 0;
        for (; *s && (quote || !isspace((unsigned char)*s)); s++) {
            if (quote == '\'') {
                if (*s == '\'')
                    quote = 0;
                else
                    word[len++] = *s;
            } else if (*s == '\\' && s[1] && (!quote || s[1] == '"' || s[1] == '\\')) {
                word[len++] = *++s;
            } else if (*s == '"') {
                quote = quote ? 0 : '"';
            } else if (*s == '\'' && !quote) {
                quote = '\'';
            } else {
                word[len++] = *s;
            }
        }
        if (quote) {
            st = sh_error_set(err, SH_ERR_INVALID, "unterminated %c quote in command", quote);
            break;
        }
        if (*n >= max) {
            st = sh_error_set(err, SH_ERR_INVALID, "command has more than %zu words", max);
            break;
        }
        word[len] = '\0';
        if (!(argv[(*n)++] = strdup(word)))
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    free(word);
    return st;
}

/* argv[0] as an absolute path: relative to the .conf's directory when it
 * has a '/', else searched in the plugin's PATH. */
static sh_status resolve_program(sh_an_plugin *p, const char *conf_dir, sh_error *err)
{
    char *prog = p->argv[0], *abs = NULL;
    if (prog[0] == '/') {
        abs = strdup(prog);
    } else if (strchr(prog, '/')) {
        abs = sh_strdup_printf("%s/%s", conf_dir, prog);
    } else {
        static const char *const dirs[] = {"/usr/local/bin", "/usr/bin", "/bin"};
        for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && !abs; i++) {
            char *cand = sh_strdup_printf("%s/%s", dirs[i], prog);
            if (cand && access(cand, X_OK) == 0)
                abs = cand;
            else
                free(cand);
        }
        if (!abs)
            return sh_error_set(err, SH_ERR_NOT_FOUND, "command '%s' is not in /usr/local/bin, /usr/bin or /bin",
                                prog);
    }
    if (!abs)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    free(p->argv[0]);
    p->argv[0] = abs;
    struct stat sb;
    if (stat(abs, &sb) != 0)
        return sh_error_set(err, SH_ERR_NOT_FOUND, "command %s: %s", abs, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return sh_error_set(err, SH_ERR_INVALID, "command %s is not a file", abs);
    if (access(abs, X_OK) != 0)
        return sh_error_set(err, SH_ERR_PERMISSION, "command %s is not executable: %s", abs, strerror(errno));
    return SH_OK;
}

static sh_status parse_int(const char *key, const char *v, long min, long max, long *out, sh_error *err)
{
    char *end = NULL;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < min || x > max)
        return sh_error_set(err, SH_ERR_INVALID, "%s: '%s' is not a number from %ld to %ld", key, v, min, max);
    *out = x;
    return SH_OK;
}

static sh_status parse_fields(const char *v, unsigned *out, sh_error *err)
{
    char *copy = strdup(v), *save = NULL;
    if (!copy)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = SH_OK;
    *out = 0;
    for (char *tok = strtok_r(copy, ", ", &save); tok && st == SH_OK; tok = strtok_r(NULL, ", ", &save)) {
        int f = sh_an_field_parse(tok);
        if (f < 0)
            st = sh_error_set(err, SH_ERR_INVALID,
                              "fields: unknown field '%s' (studio, performers, tags, title, date, code, details)", tok);
        else
            *out |= SH_AN_FIELD_BIT(f);
    }
    free(copy);
    if (st == SH_OK && *out == 0)
        st = sh_error_set(err, SH_ERR_INVALID, "fields: at least one field is needed");
    return st;
}

/* env = KEY=VALUE replaces a default of the same KEY or is appended. */
static sh_status add_env(sh_an_plugin *p, const char *v, sh_error *err)
{
    const char *eq = strchr(v, '=');
    size_t klen = eq ? (size_t)(eq - v) : 0;
    bool ok = klen > 0 && (isalpha((unsigned char)v[0]) || v[0] == '_');
    for (size_t i = 0; ok && i < klen; i++)
        ok = isalnum((unsigned char)v[i]) || v[i] == '_';
    if (!ok)
        return sh_error_set(err, SH_ERR_INVALID, "env: expected KEY=VALUE");
    size_t i = 0;
    for (; p->envp[i]; i++)
        if (strncmp(p->envp[i], v, klen + 1) == 0)
            break;
    if (!p->envp[i] && i >= SH_AN_PLUGIN_MAX_ENV)
        return sh_error_set(err, SH_ERR_INVALID, "env: at most %d variables", SH_AN_PLUGIN_MAX_ENV);
    char *copy = strdup(v);
    if (!copy)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    free(p->envp[i]);
    p->envp[i] = copy;
    return SH_OK;
}

static sh_status set_key(sh_an_plugin *p, const char *key, const char *v, bool *have_cmd, bool *have_fields,
                         sh_error *err)
{
    long x = 0;
    sh_status st = SH_OK;
    if (!strcmp(key, "command")) {
        for (size_t i = 0; p->argv[i]; i++) {
            free(p->argv[i]);
            p->argv[i] = NULL;
        }
        size_t n = 0;
        if ((st = split_words(v, p->argv, SH_AN_PLUGIN_MAX_ARGS, &n, err)) == SH_OK && n == 0)
            st = sh_error_set(err, SH_ERR_INVALID, "command is empty");
        *have_cmd = st == SH_OK;
    } else if (!strcmp(key, "fields")) {
        st = parse_fields(v, &p->fields, err);
        *have_fields = st == SH_OK;
    } else if (!strcmp(key, "timeout_s")) {
        if ((st = parse_int(key, v, 1, 3600, &x, err)) == SH_OK)
            p->timeout_ms = x * 1000;
    } else if (!strcmp(key, "batch_size")) {
        if ((st = parse_int(key, v, 1, 1000, &x, err)) == SH_OK)
            p->batch_size = (size_t)x;
    } else if (!strcmp(key, "max_output_kb")) {
        if ((st = parse_int(key, v, 1, 262144, &x, err)) == SH_OK)
            p->max_output = (size_t)x * 1024;
    } else if (!strcmp(key, "entities")) {
        if (!strcmp(v, "all") || !strcmp(v, "candidates"))
            p->send_all_entities = !strcmp(v, "all");
        else
            st = sh_error_set(err, SH_ERR_INVALID, "entities: '%s' is not 'candidates' or 'all'", v);
    } else if (!strcmp(key, "env")) {
        st = add_env(p, v, err);
    } else {
        st = sh_error_set(err, SH_ERR_INVALID,
                          "unknown key '%s' (command, fields, timeout_s, batch_size, max_output_kb, entities, env)",
                          key);
    }
    return st;
}

static sh_status init_plugin(sh_an_plugin *p, const char *name, size_t len, sh_error *err)
{
    memcpy(p->name, name, len);
    p->name[len] = '\0';
    p->timeout_ms = 30000;
    p->kill_grace_ms = 500;
    p->batch_size = 100;
    p->max_output = (size_t)8192 * 1024;
    p->envp[0] = strdup(BASE_PATH);
    p->envp[1] = strdup("LANG=C.UTF-8");
    p->envp[2] = strdup("HOME=/");
    p->envp[3] = sh_strdup_printf("STASHHOG_PLUGIN_PROTOCOL=%d", SH_AN_PLUGIN_PROTOCOL);
    p->envp[4] = sh_strdup_printf("STASHHOG_PLUGIN_NAME=%s", p->name);
    for (int i = 0; i < 5; i++)
        if (!p->envp[i])
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
    p->adapter = (sh_an_analyzer){.name = p->name, .analyze = sh_an_plugin_analyze_one, .user_data = p};
    return SH_OK;
}

sh_status sh_an_plugin_load(const char *path, sh_an_plugin **out, sh_error *err)
{
    *out = NULL;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t blen = strlen(base);
    if (blen < 6 || strcmp(base + blen - 5, ".conf") != 0 || !name_ok(base, blen - 5))
        return sh_error_set(err, SH_ERR_INVALID,
                            "%s: a plugin file is NAME.conf with NAME of a-z, 0-9, '-', '_' (at most %d)", path,
                            SH_AN_PLUGIN_NAME_MAX);
    sh_an_plugin *p = calloc(1, sizeof *p);
    char *dir_copy = strdup(path);
    FILE *f = NULL;
    sh_status st = SH_ERR_NOMEM;
    if (!p || !dir_copy) {
        sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    if ((st = init_plugin(p, base, blen - 5, err)) != SH_OK)
        goto out;
    if (!(f = fopen(path, "re"))) {
        st = sh_error_set(err, errno == ENOENT ? SH_ERR_NOT_FOUND : SH_ERR_IO, "cannot read %s: %s", path,
                          strerror(errno));
        goto out;
    }
    char line[4096];
    int lineno = 0;
    bool have_cmd = false, have_fields = false;
    while (st == SH_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            st = sh_error_set(err, SH_ERR_INVALID, "%s:%d: expected key = value", path, lineno);
            break;
        }
        *eq = '\0';
        if ((st = set_key(p, trim(s), trim(eq + 1), &have_cmd, &have_fields, err)) != SH_OK)
            sh_error_prefix(err, "%s:%d", path, lineno);
    }
    if (st == SH_OK && (!have_cmd || !have_fields))
        st = sh_error_set(err, SH_ERR_INVALID, "%s: 'command' and 'fields' are required", path);
    if (st == SH_OK && (st = resolve_program(p, dirname(dir_copy), err)) != SH_OK)
        sh_error_prefix(err, "%s", path);
    p->adapter.fields = p->fields;
out:
    if (f)
        fclose(f);
    free(dir_copy);
    if (st != SH_OK) {
        sh_an_plugin_destroy(p);
        return st;
    }
    *out = p;
    return SH_OK;
}

void sh_an_plugin_destroy(sh_an_plugin *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->argv[i]; i++)
        free(p->argv[i]);
    for (size_t i = 0; p->envp[i]; i++)
        free(p->envp[i]);
    free(p);
}

const char *sh_an_plugin_name(const sh_an_plugin *p)
{
    return p->name;
}

unsigned sh_an_plugin_fields(const sh_an_plugin *p)
{
    return p->fields;
}

size_t sh_an_plugin_batch_size(const sh_an_plugin *p)
{
    return p->batch_size;
}

void sh_an_plugin_set_kill_grace(sh_an_plugin *p, int64_t ms)
{
    p->kill_grace_ms = ms;
}

const sh_an_analyzer *sh_an_plugin_analyzer(const sh_an_plugin *p)
{
    return &p->adapter;
}
