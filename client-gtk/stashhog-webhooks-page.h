/* stashhog-webhooks-page.h - the Webhooks page of the preferences: each
 * webhook with its recent deliveries (status, attempts, HTTP status, last
 * error); add, remove and send a test event. */
#pragma once

#include <adwaita.h>

#include "stashhog-client.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_WEBHOOKS_PAGE (stashhog_webhooks_page_get_type ())
G_DECLARE_FINAL_TYPE (StashhogWebhooksPage, stashhog_webhooks_page, STASHHOG, WEBHOOKS_PAGE, AdwPreferencesPage)

StashhogWebhooksPage *stashhog_webhooks_page_new (StashhogClient *client);
void stashhog_webhooks_page_refresh (StashhogWebhooksPage *self);
/* Create a webhook for url (events "*"), as the Add dialog does. */
void stashhog_webhooks_page_add (StashhogWebhooksPage *self, const char *url, const char *events);
/* Queue a test delivery to the first webhook (tests). */
void stashhog_webhooks_page_test_first (StashhogWebhooksPage *self);
/* Tests: webhooks listed, deliveries shown, deliveries in a final state. */
guint stashhog_webhooks_page_get_n_webhooks (StashhogWebhooksPage *self);
guint stashhog_webhooks_page_count_deliveries (StashhogWebhooksPage *self, Stashhog__WebhookDeliveryStatus status);

G_END_DECLS
