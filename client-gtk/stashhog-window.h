/* stashhog-window.h - the main window: connection state, view switcher, pages. */
#pragma once

#include <adwaita.h>

#include "stashhog-application.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_WINDOW (stashhog_window_get_type ())
G_DECLARE_FINAL_TYPE (StashhogWindow, stashhog_window, STASHHOG, WINDOW, AdwApplicationWindow)

StashhogWindow *stashhog_window_new (StashhogApplication *app);
void stashhog_window_add_toast (StashhogWindow *self, AdwToast *toast);
/* "scenes", "library", "plans", "jobs", "schedules". */
void stashhog_window_show_page (StashhogWindow *self, const char *name);

G_END_DECLS
