#include "sh-log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static _Atomic int log_level = SH_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static sh_log_sink_fn log_sink;
static void *log_sink_data;

static const char *const level_names[] = {"DEBUG", "INFO", "WARN", "ERROR", "SILENT"};

void sh_log_set_level(sh_log_level level)
{
    atomic_store(&log_level, (int)level);
}

sh_log_level sh_log_get_level(void)
{
    return (sh_log_level)atomic_load(&log_level);
}

int sh_log_level_parse(const char *name)
{
    static const char *const names[] = {"debug", "info", "warning", "error", "silent"};
    if (!name)
        return -1;
    for (int i = 0; i < 5; i++)
        if (strcasecmp(name, names[i]) == 0)
            return i;
    if (strcasecmp(name, "warn") == 0)
        return SH_LOG_WARNING;
    return -1;
}

void sh_log_set_sink(sh_log_sink_fn sink, void *user_data)
{
    pthread_mutex_lock(&log_lock);
    log_sink = sink;
    log_sink_data = user_data;
    pthread_mutex_unlock(&log_lock);
}

void sh_log(sh_log_level level, const char *module, const char *fmt, ...)
{
    if ((int)level < atomic_load(&log_level) || level >= SH_LOG_SILENT)
        return;
    char message[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);

    pthread_mutex_lock(&log_lock);
    fprintf(stderr, "%s.%03ldZ %-5s [%s] %s\n", stamp, ts.tv_nsec / 1000000L, level_names[level],
            module ? module : "-", message);
    sh_log_sink_fn sink = log_sink;
    void *data = log_sink_data;
    pthread_mutex_unlock(&log_lock);
    if (sink)
        sink(level, module ? module : "-", message, data);
}
