/* llm-limiter.c - a counting semaphore bounding LLM requests in flight.
 *
 * Threading: one limiter is shared by every job worker's client.  A mutex
 * and a condition variable guard the count; waiters wake on release or every
 * 100 ms to poll their cancel callback, so a cancelled job never waits for a
 * slot for long.  The bound may change at run time; lowering it lets the
 * requests already in flight finish. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "llm/llm-internal.h"

#define POLL_MS 100

struct sh_llm_limiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int max;
    int in_flight;
};

sh_status sh_llm_limiter_create(int max_in_flight, sh_llm_limiter **out, sh_error *err)
{
    if (!out)
        return sh_error_set(err, SH_ERR_INVALID, "no output pointer");
    *out = NULL;
    if (max_in_flight < 1)
        return sh_error_set(err, SH_ERR_INVALID, "LLM max concurrency must be at least 1");
    sh_llm_limiter *l = calloc(1, sizeof *l);
    if (!l)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (pthread_mutex_init(&l->mu, NULL) != 0 || pthread_cond_init(&l->cv, &attr) != 0) {
        pthread_condattr_destroy(&attr);
        free(l);
        return sh_error_set(err, SH_ERR_INTERNAL, "cannot create the LLM limiter");
    }
    pthread_condattr_destroy(&attr);
    l->max = max_in_flight;
    *out = l;
    return SH_OK;
}

void sh_llm_limiter_destroy(sh_llm_limiter *limiter)
{
    if (!limiter)
        return;
    pthread_cond_destroy(&limiter->cv);
    pthread_mutex_destroy(&limiter->mu);
    free(limiter);
}

void sh_llm_limiter_set_max(sh_llm_limiter *limiter, int max_in_flight)
{
    pthread_mutex_lock(&limiter->mu);
    limiter->max = max_in_flight < 1 ? 1 : max_in_flight;
    pthread_cond_broadcast(&limiter->cv);
    pthread_mutex_unlock(&limiter->mu);
}

int sh_llm_limiter_in_flight(sh_llm_limiter *limiter)
{
    pthread_mutex_lock(&limiter->mu);
    int n = limiter->in_flight;
    pthread_mutex_unlock(&limiter->mu);
    return n;
}

sh_status sh_llm_limiter_acquire(sh_llm_limiter *limiter, int (*cancelled)(void *), void *user_data,
                                 sh_error *err)
{
    if (!limiter)
        return SH_OK;
    sh_status rc = SH_OK;
    pthread_mutex_lock(&limiter->mu);
    while (limiter->in_flight >= limiter->max) {
        if (cancelled && cancelled(user_data)) {
            rc = sh_error_set(err, SH_ERR_CANCELLED, "cancelled while waiting for an LLM slot");
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += (long)POLL_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        int w = pthread_cond_timedwait(&limiter->cv, &limiter->mu, &ts);
        if (w != 0 && w != ETIMEDOUT) {
            rc = sh_error_set(err, SH_ERR_INTERNAL, "LLM limiter wait failed");
            break;
        }
    }
    if (rc == SH_OK)
        limiter->in_flight++;
    pthread_mutex_unlock(&limiter->mu);
    return rc;
}

void sh_llm_limiter_release(sh_llm_limiter *limiter)
{
    if (!limiter)
        return;
    pthread_mutex_lock(&limiter->mu);
    if (limiter->in_flight > 0)
        limiter->in_flight--;
    pthread_cond_signal(&limiter->cv);
    pthread_mutex_unlock(&limiter->mu);
}
