/* stashhog-gtk: the desktop client.  Everything lives in the stashhog_gtk library. */
#include "stashhog-application.h"

int
main (int argc, char **argv)
{
  g_autoptr (StashhogApplication) app = stashhog_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
