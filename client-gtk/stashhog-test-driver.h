/* stashhog-test-driver.h - scripted driving of the real window for the
 * display tests (no synthesized clicks).
 *
 * When $STASHHOG_GTK_TEST_SCRIPT names a file, its lines are run one after
 * another on the main loop: "wait-connected 20", "search foo",
 * "wait-scenes 1 20", "screenshot /path.png", "plans-wait 10", ...  Each
 * prints "OK", "SKIP" (the daemon answered UNSUPPORTED) or "FAIL" with a
 * reason on stdout; the run ends with "DRIVER PASS" or "DRIVER FAIL" and
 * quits the application.  Without the variable this does nothing. */
#pragma once

#include "stashhog-window.h"

G_BEGIN_DECLS

void stashhog_test_driver_maybe_start (StashhogWindow *window);

G_END_DECLS
