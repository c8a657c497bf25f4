/* stashhog-roles.h - what the connected user's role lets the GUI offer.
 *
 * The daemon enforces roles; the GUI hides or disables what would only be
 * refused.  StatusReply.role absent (an older daemon, or an owner
 * connection before roles existed) means everything is allowed. */
#pragma once

#include <glib.h>

#include "stashhog.pb-c.h"

G_BEGIN_DECLS

typedef enum {
  STASHHOG_CAN_REVIEW,    /* accept / reject / edit plan changes */
  STASHHOG_CAN_ANALYZE,   /* analyze, resync scenes */
  STASHHOG_CAN_APPLY,     /* apply and roll back plans */
  STASHHOG_CAN_SETTINGS,  /* daemon settings */
  STASHHOG_CAN_SCHEDULES, /* create / edit / delete schedules */
  STASHHOG_CAN_WEBHOOKS,  /* add / remove / test webhooks */
  STASHHOG_N_CAPABILITIES
} StashhogCapability;

gboolean stashhog_role_allows (gboolean has_role, Stashhog__Role role, StashhogCapability capability);
/* "Viewer", "Reviewer", "Admin"; "" without a role. */
const char *stashhog_role_label (gboolean has_role, Stashhog__Role role);

G_END_DECLS
