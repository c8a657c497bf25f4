/* stashhog-preferences.h - connection (daemon URL + token) and the daemon's
 * runtime settings (Stash URL/API key, LLM endpoint/model/key) with Test
 * Connection buttons that show the result inline. */
#pragma once

#include <adwaita.h>

#include "stashhog-application.h"
#include "stashhog-webhooks-page.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_PREFERENCES (stashhog_preferences_get_type ())
G_DECLARE_FINAL_TYPE (StashhogPreferences, stashhog_preferences, STASHHOG, PREFERENCES, AdwPreferencesWindow)

StashhogPreferences *stashhog_preferences_new (StashhogApplication *app, GtkWindow *parent);
/* Show the daemon-settings page (tests, screenshots). */
void stashhog_preferences_show_settings (StashhogPreferences *self);
/* Show the Webhooks page; NULL when the user's role may not manage webhooks. */
StashhogWebhooksPage *stashhog_preferences_show_webhooks (StashhogPreferences *self);
/* Run a connection test: target 0 = Stash, 1 = LLM. */
void stashhog_preferences_test (StashhogPreferences *self, int target);
/* Number of daemon settings shown (tests). */
guint stashhog_preferences_get_n_settings (StashhogPreferences *self);

G_END_DECLS
