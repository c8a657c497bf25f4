#include "stashhog-roles.h"

/* The least role each capability needs (proto: each role may do everything
 * the one before it may). */
static const Stashhog__Role needs[STASHHOG_N_CAPABILITIES] = {
  [STASHHOG_CAN_REVIEW] = STASHHOG__ROLE__ROLE_REVIEWER,
  [STASHHOG_CAN_ANALYZE] = STASHHOG__ROLE__ROLE_REVIEWER,
  [STASHHOG_CAN_APPLY] = STASHHOG__ROLE__ROLE_ADMIN,
  [STASHHOG_CAN_SETTINGS] = STASHHOG__ROLE__ROLE_ADMIN,
  [STASHHOG_CAN_SCHEDULES] = STASHHOG__ROLE__ROLE_ADMIN,
  [STASHHOG_CAN_WEBHOOKS] = STASHHOG__ROLE__ROLE_ADMIN,
};

gboolean
stashhog_role_allows (gboolean has_role, Stashhog__Role role, StashhogCapability capability)
{
  g_return_val_if_fail ((guint) capability < STASHHOG_N_CAPABILITIES, FALSE);
  if (!has_role)
    return TRUE;
  /* An unknown (newer) role value: allow nothing beyond viewing. */
  if (role < STASHHOG__ROLE__ROLE_VIEWER || role > STASHHOG__ROLE__ROLE_ADMIN)
    return FALSE;
  return role >= needs[capability];
}

const char *
stashhog_role_label (gboolean has_role, Stashhog__Role role)
{
  if (!has_role)
    return "";
  switch (role)
    {
    case STASHHOG__ROLE__ROLE_VIEWER: return "Viewer";
    case STASHHOG__ROLE__ROLE_REVIEWER: return "Reviewer";
    case STASHHOG__ROLE__ROLE_ADMIN: return "Admin";
    default: return "Unknown role";
    }
}
