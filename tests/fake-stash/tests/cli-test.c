/* cli-test.c - drives the fake-stash executable: --port 0 with --port-file,
 * auth from --api-key and from FAKE_STASH_API_KEY, bad arguments, clean exit
 * on SIGTERM and SIGINT, and the key never appearing in its output.
 * Usage: fake_stash_cli_test PATH-TO-fake-stash */
#include "http-client.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
            failures++;                                                              \
        }                                                                            \
    } while (0)

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Start bin with args; stdout and stderr go to logpath. */
static pid_t spawn(char *const argv[], const char *logpath, const char *env_key)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            _exit(127);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        if (env_key)
            setenv("FAKE_STASH_API_KEY", env_key, 1);
        else
            unsetenv("FAKE_STASH_API_KEY");
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static unsigned wait_port(const char *path, pid_t pid)
{
    for (int i = 0; i < 200; i++) {
        FILE *f = fopen(path, "r");
        char buf[32] = "";
        if (f) {
            char *line = fgets(buf, sizeof(buf), f);
            fclose(f);
            char *end = NULL;
            unsigned long port = line ? strtoul(buf, &end, 10) : 0;
            if (port > 0 && port < 65536 && end && *end == '\n')
                return (unsigned)port;
        }
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return 0;
        sleep_ms(50);
    }
    return 0;
}

static int stop(pid_t pid, int sig)
{
    int status = 0;
    kill(pid, sig);
    for (int i = 0; i < 200; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        sleep_ms(25);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

static bool file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    char buf[65536];
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

static void run_case(const char *bin, const char *dir, bool key_from_env, int sig)
{
    char portfile[1024], logfile[1024], key[64];
    snprintf(portfile, sizeof(portfile), "%s/port-%d", dir, sig);
    snprintf(logfile, sizeof(logfile), "%s/log-%d", dir, sig);
    /* a per-run key, so the output check cannot pass by accident */
    snprintf(key, sizeof(key), "k%ld-%ld", (long)getpid(), (long)time(NULL));
    char *argv_key[] = {(char *)bin, "--port", "0", "--port-file", portfile, "--scenes", "50",
                        "--seed", "3", "--api-key", key, NULL};
    char *argv_env[] = {(char *)bin, "--port", "0", "--port-file", portfile, "--scenes", "50",
                        NULL};
    pid_t pid = spawn(key_from_env ? argv_env : argv_key, logfile, key_from_env ? key : NULL);
    CHECK(pid > 0);
    unsigned port = wait_port(portfile, pid);
    CHECK(port > 0);
    if (port == 0) {
        stop(pid, SIGKILL);
        return;
    }
    fsh_resp r;
    const char *body = "{\"operationName\":\"Stats\"}";
    CHECK(fsh_request((uint16_t)port, "GET", "/healthz", NULL, NULL, &r) == 0 && r.status == 200);
    fsh_resp_free(&r);
    fsh_request((uint16_t)port, "POST", "/graphql", NULL, body, &r);
    CHECK(r.status == 401);
    fsh_resp_free(&r);
    fsh_request((uint16_t)port, "POST", "/graphql", key, body, &r);
    CHECK(r.status == 200 && strstr(r.body, "\"scene_count\":50"));
    fsh_resp_free(&r);
    CHECK(stop(pid, sig) == 0);
    CHECK(file_contains(logfile, "listening on"));
    CHECK(!file_contains(logfile, key));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-TO-fake-stash\n", argv[0]);
        return 2;
    }
    const char *scratch = getenv("STASHHOG_TEST_SCRATCH");
    char tmpl[1024];
    if (scratch) {
        /* mkdir -p; existing components are fine, mkdtemp reports real errors */
        char part[1024];
        snprintf(part, sizeof(part), "%s", scratch);
        for (char *p = part + 1; *p; p++) {
            if (*p == '/') {
                *p = '\0';
                mkdir(part, 0700);
                *p = '/';
            }
        }
        mkdir(part, 0700);
        snprintf(tmpl, sizeof(tmpl), "%s/cli-XXXXXX", scratch);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(tmpl, sizeof(tmpl), "%s/fake-stash-cli-XXXXXX", tmp ? tmp : "/tmp");
    }
    char *dir = mkdtemp(tmpl);
    if (!dir) {
        perror("mkdtemp");
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    run_case(argv[1], dir, false, SIGTERM);
    run_case(argv[1], dir, true, SIGINT);

    /* bad arguments: usage error, exit 2 */
    char logfile[1100];
    snprintf(logfile, sizeof(logfile), "%s/log-bad", dir);
    char *bad[] = {argv[1], "--scenes", "lots", NULL};
    pid_t pid = spawn(bad, logfile, NULL);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 2);
    CHECK(file_contains(logfile, "usage"));
    curl_global_cleanup();
    if (failures)
        fprintf(stderr, "%d check(s) failed; logs in %s\n", failures, dir);
    else
        printf("fake-stash CLI: all checks passed\n");
    return failures ? 1 : 0;
}
