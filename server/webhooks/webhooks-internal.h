/* webhooks-internal.h - private to webhooks/: what the delivery thread and
 * the store share. */
#ifndef SH_WEBHOOKS_INTERNAL_H
#define SH_WEBHOOKS_INTERNAL_H

#include "webhooks/webhooks.h"

#define SH_WEBHOOK_MAX_URL 2048

/* Insert one pending delivery per enabled webhook subscribed to name (or
 * just webhook only_id, enabled or not, when > 0), each with its own body,
 * in one write transaction.  *n_out (may be NULL) counts rows; *last_id
 * (may be NULL) is the newest row's id.  SH_ERR_NOT_FOUND if only_id does
 * not exist. */
sh_status sh_webhook_insert_deliveries(sh_db *db, const char *name, int64_t time_ms,
                                       const char *data_json, int64_t only_id, size_t *n_out,
                                       int64_t *last_id, sh_error *err);

/* The body POSTed for one delivery (malloc'd):
 * {"event":NAME,"delivery":ID,"webhook":WID,"time_ms":T,"data":DATA} */
char *sh_webhook_body(const char *name, int64_t delivery_id, int64_t webhook_id, int64_t time_ms,
                      const char *data_json);

/* The event's payload message as compact JSON (malloc'd), NULL on OOM. */
char *sh_webhook_event_data(const sh_event *event);

#endif
