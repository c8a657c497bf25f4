/* stashhogctl: everything lives in the static library so tests can drive it. */
#include <signal.h>
#include <stdio.h>

#include "cli.h"

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    return sh_cli_main(argc, argv, stdout, stderr);
}
