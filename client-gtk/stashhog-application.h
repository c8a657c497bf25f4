/* stashhog-application.h - the GtkApplication: one instance, one main window.
 *
 * Owns the StashhogClient (the daemon connection) and the remembered
 * connection settings; windows and pages borrow the client. */
#pragma once

#include <adwaita.h>

#include "stashhog-client.h"
#include "stashhog-connection-config.h"

G_BEGIN_DECLS

#define STASHHOG_APPLICATION_ID "io.github.stashhog.StashHog"

#define STASHHOG_TYPE_APPLICATION (stashhog_application_get_type ())
G_DECLARE_FINAL_TYPE (StashhogApplication, stashhog_application, STASHHOG, APPLICATION, AdwApplication)

StashhogApplication *stashhog_application_new (void);
StashhogClient *stashhog_application_get_client (StashhogApplication *self);
/* The remembered connection (never NULL). */
const StashhogConnectionConfig *stashhog_application_get_connection (StashhogApplication *self);
/* Remember and switch to another daemon (url NULL/"" = the local one). */
gboolean stashhog_application_set_connection (StashhogApplication *self, const char *url, const char *token,
                                              GError **error);

G_END_DECLS
