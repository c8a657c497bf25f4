/* main.c - the fake-stash executable: parse flags, generate the library,
 * serve it until SIGINT/SIGTERM.
 *
 * Threading: the signals are blocked before the server starts so every MHD
 * thread inherits the mask; the main thread then waits in sigwait() and
 * stops the server in order. */
#include "fake-stash.h"
#include "test-server.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fputs("usage: fake-stash [options]\n"
          "  --port N             listen port (0 = any free port; default 9999)\n"
          "  --port-file PATH     write the bound port to PATH once listening\n"
          "  --bind ADDR          listen address (default 127.0.0.1)\n"
          "  --seed N             library and fault PRNG seed (default 1)\n"
          "  --scenes N           library size (default 2000)\n"
          "  --utc-offset MIN     timestamp offset in minutes (default 60)\n"
          "  --api-key KEY        require ApiKey (or env FAKE_STASH_API_KEY)\n"
          "  --page-delay-ms N    delay of each Find* response\n"
          "  --latency-ms N       delay of every /graphql response\n"
          "  --fault-KIND P       probability 0..1 of a fault per request;\n"
          "                       KIND: 500 502 503 429 truncate garbage\n"
          "  --quiet              no log on stderr\n",
          out);
}

int main(int argc, char **argv)
{
    enum { O_PORT_FILE = 256, O_BIND, O_SEED, O_SCENES, O_API_KEY, O_PAGE_DELAY, O_LATENCY,
           O_QUIET, O_OFFSET, O_FAULT0 };
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"port-file", required_argument, NULL, O_PORT_FILE},
        {"bind", required_argument, NULL, O_BIND},
        {"seed", required_argument, NULL, O_SEED},
        {"scenes", required_argument, NULL, O_SCENES},
        {"utc-offset", required_argument, NULL, O_OFFSET},
        {"api-key", required_argument, NULL, O_API_KEY},
        {"page-delay-ms", required_argument, NULL, O_PAGE_DELAY},
        {"latency-ms", required_argument, NULL, O_LATENCY},
        {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, 'h'},
        {"fault-500", required_argument, NULL, O_FAULT0 + FS_FAULT_500},
        {"fault-502", required_argument, NULL, O_FAULT0 + FS_FAULT_502},
        {"fault-503", required_argument, NULL, O_FAULT0 + FS_FAULT_503},
        {"fault-429", required_argument, NULL, O_FAULT0 + FS_FAULT_429},
        {"fault-truncate", required_argument, NULL, O_FAULT0 + FS_FAULT_TRUNCATE},
        {"fault-garbage", required_argument, NULL, O_FAULT0 + FS_FAULT_GARBAGE},
        {NULL, 0, NULL, 0},
    };
    fs_server_options so = {.bind = "127.0.0.1", .port = 9999, .seed = 1};
    fs_gen_options go = {.seed = 1, .scenes = 2000, .utc_offset_min = 60};
    const char *port_file = NULL;
    unsigned long long v;
    int c;

    so.api_key = getenv("FAKE_STASH_API_KEY");
    while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (th_parse_u64(optarg, 65535, &v) != 0)
                goto bad;
            so.port = (uint16_t)v;
            break;
        case O_PORT_FILE:
            port_file = optarg;
            break;
        case O_BIND:
            so.bind = optarg;
            break;
        case O_SEED:
            if (th_parse_u64(optarg, UINT64_MAX, &v) != 0)
                goto bad;
            go.seed = so.seed = v;
            break;
        case O_SCENES:
            if (th_parse_u64(optarg, 5000000, &v) != 0 || v == 0)
                goto bad;
            go.scenes = (size_t)v;
            break;
        case O_OFFSET: {
            char *end = NULL;
            long off = strtol(optarg, &end, 10);
            if (!*optarg || *end || off < -720 || off > 840)
                goto bad;
            go.utc_offset_min = (int)off;
            break;
        }
        case O_API_KEY:
            so.api_key = optarg;
            break;
        case O_PAGE_DELAY:
        case O_LATENCY:
            if (th_parse_u64(optarg, 600000, &v) != 0)
                goto bad;
            *(c == O_LATENCY ? &so.faults.latency_ms : &so.faults.page_delay_ms) = (unsigned)v;
            break;
        case O_QUIET:
            so.quiet = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            if (c > O_FAULT0 && c < O_FAULT0 + FS_FAULT_KIND_COUNT) {
                char *end = NULL;
                double p = strtod(optarg, &end);
                if (!*optarg || *end || p < 0 || p > 1)
                    goto bad;
                so.faults.prob[c - O_FAULT0] = p;
                break;
            }
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc)
        goto bad;

    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[512];
    struct timespec t0, t1;
    fs_library *lib = NULL;
    fs_server *srv = NULL;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (fs_library_generate(&go, &lib, err, sizeof(err)) != 0) {
        fprintf(stderr, "fake-stash: %s\n", err);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (fs_server_start(lib, &so, &srv, err, sizeof(err)) != 0) {
        fprintf(stderr, "fake-stash: %s\n", err);
        return 1;
    }
    if (port_file && th_write_port_file(port_file, fs_server_port(srv)) != 0) {
        fprintf(stderr, "fake-stash: cannot write port file %s: %s\n", port_file,
                strerror(errno));
        fs_server_stop(srv);
        return 1;
    }
    if (!so.quiet)
        fprintf(stderr,
                "fake-stash: listening on http://%s:%u (%zu scenes generated in %.0f ms, seed "
                "%llu, auth %s)\n",
                so.bind, (unsigned)fs_server_port(srv), go.scenes,
                (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
                (unsigned long long)go.seed, so.api_key && *so.api_key ? "on" : "off");

    int sig = 0;
    sigwait(&sigs, &sig);
    if (!so.quiet)
        fprintf(stderr, "fake-stash: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    fs_server_stop(srv);
    return 0;

bad:
    fprintf(stderr, "fake-stash: invalid arguments\n");
    usage(stderr);
    return 2;
}
