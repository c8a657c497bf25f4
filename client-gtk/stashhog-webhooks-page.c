#include "stashhog-webhooks-page.h"

#include "stashhog-format.h"
#include "stashhog-gtk-private.h"

#define LOG_LIMIT 50
#define PENDING_POLL_MS 1000

struct _StashhogWebhooksPage
{
  AdwPreferencesPage parent_instance;
  StashhogClient *client;
  GPtrArray *rows;      /* AdwExpanderRow* in list_group, one per webhook */
  GArray *ids;          /* gint64 webhook id per row */
  GArray *deliveries;   /* Stashhog__WebhookDeliveryStatus per delivery shown */
  GtkWidget *empty_row; /* "No webhooks" */
  guint poll_source;    /* while deliveries are pending */

  AdwEntryRow *url_row;
  AdwEntryRow *events_row;
  GtkWidget *add_button;
  GtkWidget *refresh_button;
  AdwPreferencesGroup *list_group;
};

G_DEFINE_FINAL_TYPE (StashhogWebhooksPage, stashhog_webhooks_page, ADW_TYPE_PREFERENCES_PAGE)

static void schedule_poll (StashhogWebhooksPage *self);

/* ---------------------------------------------------------------- delivery log */

static GtkWidget *
delivery_row (const Stashhog__WebhookDelivery *d)
{
  GtkWidget *row = adw_action_row_new ();
  const char *status = d->status == STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_DELIVERED ? "Delivered"
                       : d->status == STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_FAILED  ? "Failed"
                                                                                          : "Pending";
  g_autofree char *when = stashhog_format_time_ms (d->has_last_attempt_ms ? d->last_attempt_ms : d->created_at_ms);
  g_autofree char *http = d->has_http_status && d->http_status > 0 ? g_strdup_printf (" · HTTP %d", d->http_status)
                                                                   : g_strdup ("");
  g_autofree char *err = d->error && *d->error ? g_strdup_printf ("\n%s", d->error) : g_strdup ("");
  g_autofree char *title = g_markup_printf_escaped ("%s · %s", d->event, status);
  g_autofree char *subtitle = g_markup_printf_escaped ("#%" G_GINT64_FORMAT " · %d attempt%s%s · %s%s", d->id,
                                                       d->attempts, d->attempts == 1 ? "" : "s", http, when, err);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  GtkWidget *icon = gtk_image_new_from_icon_name (
      d->status == STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_DELIVERED ? "object-select-symbolic"
      : d->status == STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_FAILED  ? "dialog-error-symbolic"
                                                                         : "content-loading-symbolic");
  gtk_widget_add_css_class (icon, d->status == STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_DELIVERED ? "success"
                                  : d->status == STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_FAILED  ? "error"
                                                                                                     : "dim-label");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  return row;
}

static void
on_log (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogWebhooksPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  gboolean pending = FALSE;

  if (!reply || reply->body_case != STASHHOG__REPLY__BODY_WEBHOOK_LOG)
    {
      stashhog_toast_error (GTK_WIDGET (self), "Cannot read the delivery log", error);
      return;
    }
  g_array_set_size (self->deliveries, 0);
  for (size_t i = 0; i < reply->webhook_log->n_deliveries; i++)
    {
      const Stashhog__WebhookDelivery *d = reply->webhook_log->deliveries[i];
      for (guint r = 0; r < self->ids->len; r++)
        if (g_array_index (self->ids, gint64, r) == d->webhook_id)
          {
            adw_expander_row_add_row (g_ptr_array_index (self->rows, r), delivery_row (d));
            g_array_append_val (self->deliveries, d->status);
            pending |= d->status == STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_PENDING;
          }
    }
  if (pending)
    schedule_poll (self);
}

/* ---------------------------------------------------------------- webhook list */

static void
webhook_request (StashhogWebhooksPage *self, gint64 id, gboolean test);

static void
on_row_button (GtkButton *button, gpointer user_data)
{
  StashhogWebhooksPage *self = user_data;
  gint64 *id = g_object_get_data (G_OBJECT (button), "webhook-id");
  webhook_request (self, *id, g_object_get_data (G_OBJECT (button), "test") != NULL);
}

static GtkWidget *
row_button (StashhogWebhooksPage *self, const char *icon, const char *tooltip, gint64 id, gboolean test)
{
  GtkWidget *b = gtk_button_new_from_icon_name (icon);
  gtk_widget_set_tooltip_text (b, tooltip);
  gtk_widget_set_valign (b, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (b, "flat");
  g_object_set_data_full (G_OBJECT (b), "webhook-id", g_memdup2 (&id, sizeof id), g_free);
  if (test)
    g_object_set_data (G_OBJECT (b), "test", GINT_TO_POINTER (1));
  g_signal_connect (b, "clicked", G_CALLBACK (on_row_button), self);
  return b;
}

static void
clear_rows (StashhogWebhooksPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->list_group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
  g_array_set_size (self->ids, 0);
  g_array_set_size (self->deliveries, 0);
}

static void
on_list (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogWebhooksPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  Stashhog__WebhookLogRequest log = STASHHOG__WEBHOOK_LOG_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;

  clear_rows (self);
  if (!reply || reply->body_case != STASHHOG__REPLY__BODY_WEBHOOK_LIST)
    {
      adw_preferences_group_set_description (self->list_group, error ? error->message : "unexpected reply");
      gtk_widget_set_visible (self->empty_row, FALSE);
      return;
    }
  adw_preferences_group_set_description (self->list_group, NULL);
  for (size_t i = 0; i < reply->webhook_list->n_webhooks; i++)
    {
      const Stashhog__Webhook *w = reply->webhook_list->webhooks[i];
      GtkWidget *row = adw_expander_row_new ();
      g_autofree char *events = stashhog_format_join (w->events, w->n_events, ", ");
      gboolean enabled = !w->has_enabled || w->enabled;
      g_autofree char *subtitle = g_markup_printf_escaped (
          "%s%s%s%s", *events ? events : "*", enabled ? "" : " · disabled", w->last_status ? " · last: " : "",
          w->last_status ? w->last_status : "");
      g_autofree char *title = g_markup_escape_text (w->url, -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row),
                                   row_button (self, "mail-send-symbolic", "Send a test event", w->id, TRUE));
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row),
                                   row_button (self, "user-trash-symbolic", "Remove this webhook", w->id, FALSE));
      adw_preferences_group_add (self->list_group, row);
      g_ptr_array_add (self->rows, row);
      g_array_append_val (self->ids, w->id);
    }
  gtk_widget_set_visible (self->empty_row, self->rows->len == 0);
  if (self->rows->len == 0)
    return;
  /* A single webhook: its log is what there is to see. */
  if (self->rows->len == 1)
    adw_expander_row_set_expanded (g_ptr_array_index (self->rows, 0), TRUE);
  log.has_limit = TRUE;
  log.limit = LOG_LIMIT;
  req.body_case = STASHHOG__REQUEST__BODY_WEBHOOK_LOG;
  req.webhook_log = &log;
  stashhog_client_call_async (self->client, &req, NULL, on_log, g_object_ref (self));
}

void
stashhog_webhooks_page_refresh (StashhogWebhooksPage *self)
{
  Stashhog__WebhookListRequest list = STASHHOG__WEBHOOK_LIST_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  g_return_if_fail (STASHHOG_IS_WEBHOOKS_PAGE (self));
  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (!self->client)
    return;
  req.body_case = STASHHOG__REQUEST__BODY_WEBHOOK_LIST;
  req.webhook_list = &list;
  stashhog_client_call_async (self->client, &req, NULL, on_list, g_object_ref (self));
}

static gboolean
poll_cb (gpointer user_data)
{
  StashhogWebhooksPage *self = user_data;
  self->poll_source = 0;
  stashhog_webhooks_page_refresh (self);
  return G_SOURCE_REMOVE;
}

/* Retries happen in the daemon; the log is re-read until nothing is pending. */
static void
schedule_poll (StashhogWebhooksPage *self)
{
  if (!self->poll_source)
    self->poll_source = g_timeout_add (PENDING_POLL_MS, poll_cb, self);
}

/* ---------------------------------------------------------------- add / remove / test */

static void
on_changed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogWebhooksPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  if (!reply)
    stashhog_toast_error (GTK_WIDGET (self), "Webhook", error);
  else if (reply->body_case == STASHHOG__REPLY__BODY_WEBHOOK && reply->webhook->has_secret_generated &&
           reply->webhook->secret_generated)
    stashhog_toast (GTK_WIDGET (self), "Webhook added; its signing secret is shown once by "
                                       "“stashhogctl webhooks add”, or set your own there");
  stashhog_webhooks_page_refresh (self);
}

static void
webhook_request (StashhogWebhooksPage *self, gint64 id, gboolean test)
{
  Stashhog__WebhookTestRequest t = STASHHOG__WEBHOOK_TEST_REQUEST__INIT;
  Stashhog__WebhookDeleteRequest del = STASHHOG__WEBHOOK_DELETE_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  if (!self->client)
    return;
  if (test)
    {
      t.id = id;
      req.body_case = STASHHOG__REQUEST__BODY_WEBHOOK_TEST;
      req.webhook_test = &t;
    }
  else
    {
      del.id = id;
      req.body_case = STASHHOG__REQUEST__BODY_WEBHOOK_DELETE;
      req.webhook_delete = &del;
    }
  stashhog_client_call_async (self->client, &req, NULL, on_changed, g_object_ref (self));
}

void
stashhog_webhooks_page_add (StashhogWebhooksPage *self, const char *url, const char *events)
{
  Stashhog__Webhook w = STASHHOG__WEBHOOK__INIT;
  Stashhog__WebhookSaveRequest save = STASHHOG__WEBHOOK_SAVE_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  g_auto (GStrv) list = g_strsplit_set (events && *events ? events : "*", ", ", -1);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  g_return_if_fail (STASHHOG_IS_WEBHOOKS_PAGE (self));
  if (!self->client || !url || !*url)
    return;
  for (char **e = list; *e; e++)
    if (**e)
      g_ptr_array_add (names, *e);
  w.url = (char *) url;
  w.events = (char **) names->pdata;
  w.n_events = names->len;
  w.has_enabled = TRUE;
  w.enabled = TRUE;
  save.webhook = &w;
  req.body_case = STASHHOG__REQUEST__BODY_WEBHOOK_SAVE;
  req.webhook_save = &save;
  stashhog_client_call_async (self->client, &req, NULL, on_changed, g_object_ref (self));
}

static void
on_add_clicked (GtkButton *button, gpointer user_data)
{
  StashhogWebhooksPage *self = user_data;
  (void) button;
  stashhog_webhooks_page_add (self, gtk_editable_get_text (GTK_EDITABLE (self->url_row)),
                              gtk_editable_get_text (GTK_EDITABLE (self->events_row)));
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), "");
}

/* ---------------------------------------------------------------- object */

static void
stashhog_webhooks_page_dispose (GObject *object)
{
  StashhogWebhooksPage *self = STASHHOG_WEBHOOKS_PAGE (object);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_clear_object (&self->client);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->ids, g_array_unref);
  g_clear_pointer (&self->deliveries, g_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), STASHHOG_TYPE_WEBHOOKS_PAGE);
  G_OBJECT_CLASS (stashhog_webhooks_page_parent_class)->dispose (object);
}

static void
stashhog_webhooks_page_class_init (StashhogWebhooksPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = stashhog_webhooks_page_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stashhog/StashHog/stashhog-webhooks-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogWebhooksPage, url_row);
  gtk_widget_class_bind_template_child (widget_class, StashhogWebhooksPage, events_row);
  gtk_widget_class_bind_template_child (widget_class, StashhogWebhooksPage, add_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogWebhooksPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogWebhooksPage, list_group);
}

static void
stashhog_webhooks_page_init (StashhogWebhooksPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->deliveries = g_array_new (FALSE, FALSE, sizeof (Stashhog__WebhookDeliveryStatus));
  self->empty_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->empty_row), "No webhooks yet");
  adw_preferences_group_add (self->list_group, self->empty_row);
  g_signal_connect (self->add_button, "clicked", G_CALLBACK (on_add_clicked), self);
  g_signal_connect_swapped (self->refresh_button, "clicked", G_CALLBACK (stashhog_webhooks_page_refresh), self);
}

StashhogWebhooksPage *
stashhog_webhooks_page_new (StashhogClient *client)
{
  StashhogWebhooksPage *self = g_object_new (STASHHOG_TYPE_WEBHOOKS_PAGE, NULL);
  self->client = client ? g_object_ref (client) : NULL;
  stashhog_webhooks_page_refresh (self);
  return self;
}

void
stashhog_webhooks_page_test_first (StashhogWebhooksPage *self)
{
  g_return_if_fail (STASHHOG_IS_WEBHOOKS_PAGE (self));
  if (self->ids->len)
    webhook_request (self, g_array_index (self->ids, gint64, 0), TRUE);
}

guint
stashhog_webhooks_page_get_n_webhooks (StashhogWebhooksPage *self)
{
  g_return_val_if_fail (STASHHOG_IS_WEBHOOKS_PAGE (self), 0);
  return self->ids->len;
}

guint
stashhog_webhooks_page_count_deliveries (StashhogWebhooksPage *self, Stashhog__WebhookDeliveryStatus status)
{
  guint n = 0;
  g_return_val_if_fail (STASHHOG_IS_WEBHOOKS_PAGE (self), 0);
  for (guint i = 0; i < self->deliveries->len; i++)
    n += g_array_index (self->deliveries, Stashhog__WebhookDeliveryStatus, i) == status;
  return n;
}
