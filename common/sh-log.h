/* sh-log.h - leveled, thread-safe logging to stderr.
 *
 * One line per call: "2026-11-25T21:00:00.123Z INFO  [module] message".
 * A sink may be installed (the daemon forwards warnings to the event bus).
 * Never pass secrets: there is no redaction at this level. */
#ifndef SH_LOG_H
#define SH_LOG_H

typedef enum sh_log_level {
    SH_LOG_DEBUG = 0,
    SH_LOG_INFO = 1,
    SH_LOG_WARNING = 2,
    SH_LOG_ERROR = 3,
    SH_LOG_SILENT = 4,
} sh_log_level;

typedef void (*sh_log_sink_fn)(sh_log_level level, const char *module, const char *message,
                               void *user_data);

void sh_log_set_level(sh_log_level level);
sh_log_level sh_log_get_level(void);
/* Parses "debug", "info", "warning", "error", "silent"; returns -1 if unknown. */
int sh_log_level_parse(const char *name);
/* Install an extra sink (called after the stderr line; must not log itself). */
void sh_log_set_sink(sh_log_sink_fn sink, void *user_data);

void sh_log(sh_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define sh_debug(mod, ...) sh_log(SH_LOG_DEBUG, mod, __VA_ARGS__)
#define sh_info(mod, ...)  sh_log(SH_LOG_INFO, mod, __VA_ARGS__)
#define sh_warn(mod, ...)  sh_log(SH_LOG_WARNING, mod, __VA_ARGS__)
#define sh_error(mod, ...) sh_log(SH_LOG_ERROR, mod, __VA_ARGS__)

#endif
