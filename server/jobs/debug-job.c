/* debug-job.c - debug_sleep: a real long-running job for tests and demos.
 *
 * Registered only when the daemon runs with enable_debug_jobs = true.  It
 * sleeps `seconds` in `steps` steps (in slices of at most 20 ms, so cancel
 * is honoured promptly), reports progress after each step, and can fail:
 * `fail_times` N fails the first N attempts with a transient (network)
 * error, `fail_hard` fails every attempt with a permanent error.  Jobs with
 * the same `exclusive` string never run at once.  Resumable, like a sync. */
#include <math.h>

#include "jobs/jobs.h"

#define SLICE_MS 20

static bool debug_key(const json_t *params, char *key, size_t len)
{
    const char *ex = json_string_value(json_object_get(params, "exclusive"));
    if (!ex)
        return false;
    snprintf(key, len, "debug:%s", ex);
    return true;
}

static sh_status debug_validate(const json_t *params, sh_error *err)
{
    json_t *v = json_object_get(params, "seconds");
    if (v && (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 3600))
        return sh_error_set(err, SH_ERR_INVALID, "debug_sleep: seconds must be a number from 0 to 3600");
    v = json_object_get(params, "steps");
    if (v && (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000000))
        return sh_error_set(err, SH_ERR_INVALID, "debug_sleep: steps must be an integer from 1 to 1000000");
    v = json_object_get(params, "fail_times");
    if (v && (!json_is_integer(v) || json_integer_value(v) < 0))
        return sh_error_set(err, SH_ERR_INVALID, "debug_sleep: fail_times must be a non-negative integer");
    v = json_object_get(params, "fail_hard");
    if (v && !json_is_boolean(v))
        return sh_error_set(err, SH_ERR_INVALID, "debug_sleep: fail_hard must be true or false");
    return SH_OK;
}

static sh_status debug_run(sh_job_ctx *ctx, sh_error *err)
{
    const json_t *p = sh_job_params(ctx);
    json_t *v = json_object_get(p, "seconds");
    double seconds = v ? json_number_value(v) : 1.0;
    v = json_object_get(p, "steps");
    int64_t steps = v ? json_integer_value(v) : 10;
    int64_t fail_times = json_integer_value(json_object_get(p, "fail_times"));
    bool fail_hard = json_is_true(json_object_get(p, "fail_hard"));
    int64_t total_ms = (int64_t)llround(seconds * 1000.0);
    int64_t start = sh_monotonic_ms();

    sh_job_progress(ctx, 0, steps, "sleeping %.1f s in %lld steps", seconds, (long long)steps);
    for (int64_t step = 1; step <= steps; step++) {
        /* Deadlines from the start, so many short steps do not drift. */
        int64_t step_end = start + total_ms * step / steps;
        for (;;) {
            if (sh_job_cancelled(ctx))
                return sh_error_set(err, SH_ERR_CANCELLED, "cancelled at step %lld of %lld", (long long)step - 1,
                                    (long long)steps);
            int64_t left = step_end - sh_monotonic_ms();
            if (left <= 0)
                break;
            sh_sleep_ms(left < SLICE_MS ? left : SLICE_MS);
        }
        sh_job_progress(ctx, step, steps, "step %lld of %lld", (long long)step, (long long)steps);
    }
    if (sh_job_attempt(ctx) <= fail_times)
        return sh_error_set(err, SH_ERR_NETWORK, "debug_sleep: simulated transient failure %d of %lld",
                            sh_job_attempt(ctx), (long long)fail_times);
    if (fail_hard)
        return sh_error_set(err, SH_ERR_INTERNAL, "debug_sleep: simulated permanent failure");
    sh_job_set_result(ctx, json_pack("{s:I,s:I,s:i}", "slept_ms", (json_int_t)(sh_monotonic_ms() - start), "steps",
                                     (json_int_t)steps, "attempt", sh_job_attempt(ctx)));
    return SH_OK;
}

sh_status sh_jobs_register_debug(sh_jobs *jobs, sh_error *err)
{
    static const sh_job_type type = {
        .name = "debug_sleep",
        .run = debug_run,
        .exclusivity_key = debug_key,
        .resumable = true,
        .validate = debug_validate,
    };
    return sh_jobs_register(jobs, &type, err);
}
