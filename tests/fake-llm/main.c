/* main.c - the fake-llm executable: parse flags, serve until SIGINT/SIGTERM.
 *
 * Threading: the signals are blocked before the server starts so every MHD
 * thread inherits the mask; the main thread waits in sigwait() and stops the
 * server. */
#include "fake-llm.h"
#include "test-server.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fputs(
        "usage: fake-llm [options]\n"
        "  --port N                 listen port (0 = any free port; default 8089)\n"
        "  --port-file PATH         write the bound port to PATH once listening\n"
        "  --bind ADDR              listen address (default 127.0.0.1)\n"
        "  --api-key KEY            require 'Authorization: Bearer KEY' (or env FAKE_LLM_API_KEY)\n"
        "  --models LIST            comma-separated model ids (default fake-model,gpt-4o-mini)\n"
        "  --fail-429 N             first N chat requests answer 429\n"
        "  --retry-after S          Retry-After of those 429s (default 1; 0 = none)\n"
        "  --fail-500 N             the next N chat requests answer 500\n"
        "  --malformed-rate P       probability 0..1 of an answer that is not JSON\n"
        "  --schema-violation-rate P  probability of JSON violating the schema\n"
        "  --garbage-rate P         probability of an HTML body instead of a completion\n"
        "  --invalid-values         add unknown names, impossible dates, confidence > 1\n"
        "  --latency-ms N           delay of every chat answer\n"
        "  --seed N                 fault PRNG seed (default 1)\n"
        "  --quiet                  no log on stderr\n",
        out);
}

static int parse_rate(const char *s, double *out)
{
    char *end = NULL;
    double p = strtod(s, &end);
    if (!*s || *end || !(p >= 0 && p <= 1))
        return -1;
    *out = p;
    return 0;
}

int main(int argc, char **argv)
{
    enum {
        O_PORT_FILE = 256,
        O_BIND,
        O_API_KEY,
        O_MODELS,
        O_F429,
        O_RA,
        O_F500,
        O_MAL,
        O_SCHEMA,
        O_GARBAGE,
        O_INVALID,
        O_LATENCY,
        O_SEED,
        O_QUIET
    };
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"port-file", required_argument, NULL, O_PORT_FILE},
        {"bind", required_argument, NULL, O_BIND},
        {"api-key", required_argument, NULL, O_API_KEY},
        {"models", required_argument, NULL, O_MODELS},
        {"fail-429", required_argument, NULL, O_F429},
        {"retry-after", required_argument, NULL, O_RA},
        {"fail-500", required_argument, NULL, O_F500},
        {"malformed-rate", required_argument, NULL, O_MAL},
        {"schema-violation-rate", required_argument, NULL, O_SCHEMA},
        {"garbage-rate", required_argument, NULL, O_GARBAGE},
        {"invalid-values", no_argument, NULL, O_INVALID},
        {"latency-ms", required_argument, NULL, O_LATENCY},
        {"seed", required_argument, NULL, O_SEED},
        {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    fl_options opt;
    fl_options_init(&opt);
    opt.port = 8089;
    opt.api_key = getenv("FAKE_LLM_API_KEY");
    const char *port_file = NULL;
    unsigned long long v;
    int c;
    while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (th_parse_u64(optarg, 65535, &v) != 0)
                goto bad;
            opt.port = (uint16_t)v;
            break;
        case O_PORT_FILE:
            port_file = optarg;
            break;
        case O_BIND:
            opt.bind = optarg;
            break;
        case O_API_KEY:
            opt.api_key = optarg;
            break;
        case O_MODELS:
            opt.models = optarg;
            break;
        case O_F429:
        case O_F500:
        case O_RA:
        case O_LATENCY:
            if (th_parse_u64(optarg, 600000, &v) != 0)
                goto bad;
            *(c == O_F429   ? &opt.fail_429
              : c == O_F500 ? &opt.fail_500
              : c == O_RA   ? &opt.retry_after_s
                            : &opt.latency_ms) = (unsigned)v;
            break;
        case O_MAL:
        case O_SCHEMA:
        case O_GARBAGE:
            if (parse_rate(optarg, c == O_MAL      ? &opt.malformed_rate
                                   : c == O_SCHEMA ? &opt.schema_violation_rate
                                                   : &opt.garbage_rate) != 0)
                goto bad;
            break;
        case O_INVALID:
            opt.invalid_values = true;
            break;
        case O_SEED:
            if (th_parse_u64(optarg, UINT64_MAX, &v) != 0)
                goto bad;
            opt.seed = v;
            break;
        case O_QUIET:
            opt.quiet = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
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
    fl_server *srv = NULL;
    if (fl_server_start(&opt, &srv, err, sizeof err) != 0) {
        fprintf(stderr, "fake-llm: %s\n", err);
        return 1;
    }
    if (port_file && th_write_port_file(port_file, fl_server_port(srv)) != 0) {
        fprintf(stderr, "fake-llm: cannot write port file %s: %s\n", port_file, strerror(errno));
        fl_server_stop(srv);
        return 1;
    }
    if (!opt.quiet)
        fprintf(stderr, "fake-llm: listening on http://%s:%u (auth %s)\n", opt.bind,
                (unsigned)fl_server_port(srv), opt.api_key && *opt.api_key ? "on" : "off");
    int sig = 0;
    sigwait(&sigs, &sig);
    if (!opt.quiet)
        fprintf(stderr, "fake-llm: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    fl_server_stop(srv);
    return 0;

bad:
    fprintf(stderr, "fake-llm: invalid arguments\n");
    usage(stderr);
    return 2;
}
