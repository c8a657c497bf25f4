#include "stashhog-client.h"

#include "sh-pubsub.h"
#include "sh-rpc-client.h"
#include "stashhog-connection-config.h"

#define HEALTH_TIMEOUT_MS 2500
#define CALL_TIMEOUT_MS 60000
#define CHECK_CONNECTED_S 5
#define CHECK_OFFLINE_MS 1000

struct _StashhogClient
{
  GObject parent_instance;
  GMainContext *context;
  sh_rpc_client *rpc;    /* requests of the pages */
  sh_rpc_client *health; /* short timeout: unreachable is noticed quickly */
  sh_subscriber *sub;
  char *url;
  char *token;
  char *events_url;      /* explicit, or NULL to use the advertised one */
  StashhogConnectionState state;
  char *last_error;
  sh_reply *status_reply;
  guint check_source;
  guint generation;      /* bumped by connect/disconnect: stale health replies are dropped */
  gboolean check_in_flight;
};

G_DEFINE_FINAL_TYPE (StashhogClient, stashhog_client, G_TYPE_OBJECT)

enum { PROP_0, PROP_STATE, PROP_STATUS, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIG_JOB_PROGRESS, SIG_JOB_STATE, SIG_SYNC_FINISHED, SIG_PLAN_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_QUARK (stashhog-client-error-quark, stashhog_client_error)

static void schedule_check (StashhogClient *self);

GError *
stashhog_client_error_from_sh (sh_status status, const sh_error *err)
{
  const char *msg = err && err->message[0] ? err->message : sh_strerror (status);
  return g_error_new_literal (STASHHOG_CLIENT_ERROR, (int) status, msg);
}

gboolean
stashhog_client_error_is_unsupported (const GError *error)
{
  return g_error_matches (error, STASHHOG_CLIENT_ERROR, SH_ERR_UNSUPPORTED);
}

/* ---------------------------------------------------------------- calls */

/* nng thread: GTask delivers the result on the caller's main context. */
static void
on_reply (sh_status status, sh_reply *reply, const sh_error *err, void *user_data)
{
  GTask *task = user_data;
  if (status == SH_OK)
    g_task_return_pointer (task, reply, (GDestroyNotify) sh_wire_reply_free);
  else
    g_task_return_error (task, stashhog_client_error_from_sh (status, err));
  g_object_unref (task);
}

static void
call_on (StashhogClient *self, sh_rpc_client *rpc, sh_request *request, GCancellable *cancellable,
         GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  sh_error err = { 0 };
  g_task_set_source_tag (task, stashhog_client_call_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (self->generation), NULL);
  if (!rpc)
    {
      g_task_return_new_error (task, STASHHOG_CLIENT_ERROR, SH_ERR_UNAVAILABLE, "not connected to a daemon");
      g_object_unref (task);
      return;
    }
  sh_status st = sh_rpc_client_call_async (rpc, request, on_reply, task, &err);
  if (st != SH_OK)
    {
      g_task_return_error (task, stashhog_client_error_from_sh (st, &err));
      g_object_unref (task);
    }
}

void
stashhog_client_call_async (StashhogClient *self, sh_request *request, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (STASHHOG_IS_CLIENT (self));
  g_return_if_fail (request != NULL);
  call_on (self, self->rpc, request, cancellable, callback, user_data);
}

sh_reply *
stashhog_client_call_finish (StashhogClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (STASHHOG_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---------------------------------------------------------------- events */

typedef struct
{
  StashhogClient *client;
  sh_event *event;
} EventDispatch;

static void
event_dispatch_free (gpointer p)
{
  EventDispatch *d = p;
  sh_wire_event_free (d->event);
  g_object_unref (d->client);
  g_free (d);
}

static gboolean
dispatch_event (gpointer p)
{
  EventDispatch *d = p;
  sh_event *ev = d->event;
  switch (ev->payload_case)
    {
    case STASHHOG__EVENT__PAYLOAD_JOB_PROGRESS:
      g_signal_emit (d->client, signals[SIG_JOB_PROGRESS], 0, ev->job_progress);
      break;
    case STASHHOG__EVENT__PAYLOAD_JOB_STATE:
      g_signal_emit (d->client, signals[SIG_JOB_STATE], 0, ev->job_state);
      break;
    case STASHHOG__EVENT__PAYLOAD_SYNC_FINISHED:
      g_signal_emit (d->client, signals[SIG_SYNC_FINISHED], 0, ev->sync_finished);
      break;
    case STASHHOG__EVENT__PAYLOAD_PLAN_CHANGED:
      g_signal_emit (d->client, signals[SIG_PLAN_CHANGED], 0, ev->plan_changed);
      break;
    default:
      break;
    }
  return G_SOURCE_REMOVE;
}

/* nng thread. */
static void
on_event (sh_event *event, void *user_data)
{
  StashhogClient *self = user_data;
  EventDispatch *d = g_new0 (EventDispatch, 1);
  d->client = g_object_ref (self);
  d->event = event;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, dispatch_event, d, event_dispatch_free);
}

static void
ensure_subscriber (StashhogClient *self)
{
  g_autofree char *url = NULL;
  const Stashhog__StatusReply *st = stashhog_client_get_status (self);
  sh_error err = { 0 };
  static const char *const topics[] = { "job.", "sync.", "plan." };

  if (self->sub)
    return;
  if (self->events_url)
    url = g_strdup (self->events_url);
  else if (st)
    url = stashhog_connection_pick_events_url (self->url, (const char *const *) st->event_urls, st->n_event_urls);
  if (!url)
    {
      g_warning ("the daemon advertises no event URL for %s; live progress is off", self->url);
      return;
    }
  /* Network event streams are sealed with a key derived from the token. */
  sh_subscriber_options so = { .topics = topics,
                               .n_topics = G_N_ELEMENTS (topics),
                               .token = self->token,
                               .events_key = st ? st->events_key : NULL };
  if (sh_subscriber_create_opts (url, &so, &self->sub, &err) != SH_OK ||
      sh_subscriber_start (self->sub, on_event, self, &err) != SH_OK)
    {
      g_warning ("cannot subscribe to events at %s: %s", url, sh_error_message (&err));
      g_clear_pointer (&self->sub, sh_subscriber_destroy);
    }
}

/* ---------------------------------------------------------------- health */

static void
set_state (StashhogClient *self, StashhogConnectionState state, const char *message)
{
  if (g_strcmp0 (self->last_error, message) != 0)
    {
      g_free (self->last_error);
      self->last_error = g_strdup (message);
    }
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
on_health (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StashhogClient *self = STASHHOG_CLIENT (source);
  g_autoptr (GError) error = NULL;
  sh_reply *reply = g_task_propagate_pointer (G_TASK (result), &error);
  guint generation = GPOINTER_TO_UINT (g_task_get_task_data (G_TASK (result)));
  (void) user_data;

  if (generation != self->generation)
    {
      g_clear_pointer (&reply, sh_wire_reply_free);
      return;
    }
  self->check_in_flight = FALSE;
  if (reply && reply->body_case == STASHHOG__REPLY__BODY_STATUS_INFO)
    {
      g_clear_pointer (&self->status_reply, sh_wire_reply_free);
      self->status_reply = reply;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
      ensure_subscriber (self);
      set_state (self, STASHHOG_CONNECTION_CONNECTED, NULL);
    }
  else if (reply)
    {
      sh_wire_reply_free (reply);
      set_state (self, STASHHOG_CONNECTION_UNREACHABLE, "the daemon sent an unexpected reply to status");
    }
  else if (g_error_matches (error, STASHHOG_CLIENT_ERROR, SH_ERR_UNAUTHENTICATED))
    set_state (self, STASHHOG_CONNECTION_UNAUTHENTICATED, error->message);
  else
    set_state (self, STASHHOG_CONNECTION_UNREACHABLE, error->message);
  schedule_check (self);
}

static gboolean
check_cb (gpointer user_data)
{
  StashhogClient *self = user_data;
  self->check_source = 0;
  stashhog_client_check_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_check (StashhogClient *self)
{
  g_clear_handle_id (&self->check_source, g_source_remove);
  if (!self->health)
    return;
  if (self->state == STASHHOG_CONNECTION_CONNECTED)
    self->check_source = g_timeout_add_seconds (CHECK_CONNECTED_S, check_cb, self);
  else
    self->check_source = g_timeout_add (CHECK_OFFLINE_MS, check_cb, self);
}

void
stashhog_client_check_now (StashhogClient *self)
{
  Stashhog__StatusRequest status = STASHHOG__STATUS_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;

  g_return_if_fail (STASHHOG_IS_CLIENT (self));
  if (!self->health || self->check_in_flight)
    return;
  g_clear_handle_id (&self->check_source, g_source_remove);
  req.body_case = STASHHOG__REQUEST__BODY_STATUS;
  req.status = &status;
  self->check_in_flight = TRUE;
  call_on (self, self->health, &req, NULL, on_health, NULL);
}

/* ---------------------------------------------------------------- connect */

void
stashhog_client_disconnect (StashhogClient *self)
{
  g_return_if_fail (STASHHOG_IS_CLIENT (self));
  self->generation++;
  self->check_in_flight = FALSE;
  g_clear_handle_id (&self->check_source, g_source_remove);
  /* Each destroy waits for its callbacks in flight. */
  g_clear_pointer (&self->sub, sh_subscriber_destroy);
  g_clear_pointer (&self->health, sh_rpc_client_destroy);
  g_clear_pointer (&self->rpc, sh_rpc_client_destroy);
  g_clear_pointer (&self->status_reply, sh_wire_reply_free);
  set_state (self, STASHHOG_CONNECTION_DISCONNECTED, NULL);
}

gboolean
stashhog_client_connect (StashhogClient *self, const char *url, const char *token, const char *events_url,
                         GError **error)
{
  sh_error err = { 0 };
  sh_rpc_client_options opts = { .token = token, .background_dial = true, .timeout_ms = CALL_TIMEOUT_MS };

  g_return_val_if_fail (STASHHOG_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);
  stashhog_client_disconnect (self);
  g_free (self->url);
  self->url = g_strdup (url);
  g_free (self->token);
  self->token = g_strdup (token);
  g_free (self->events_url);
  self->events_url = g_strdup (events_url);

  sh_status st = sh_rpc_client_create (url, &opts, &self->rpc, &err);
  if (st == SH_OK)
    {
      opts.timeout_ms = HEALTH_TIMEOUT_MS;
      st = sh_rpc_client_create (url, &opts, &self->health, &err);
    }
  if (st != SH_OK)
    {
      g_clear_pointer (&self->rpc, sh_rpc_client_destroy);
      set_state (self, STASHHOG_CONNECTION_UNREACHABLE, sh_error_message (&err));
      g_propagate_error (error, stashhog_client_error_from_sh (st, &err));
      return FALSE;
    }
  set_state (self, STASHHOG_CONNECTION_CONNECTING, NULL);
  stashhog_client_check_now (self);
  return TRUE;
}

/* ---------------------------------------------------------------- object */

static void
stashhog_client_dispose (GObject *object)
{
  StashhogClient *self = STASHHOG_CLIENT (object);
  stashhog_client_disconnect (self);
  G_OBJECT_CLASS (stashhog_client_parent_class)->dispose (object);
}

static void
stashhog_client_finalize (GObject *object)
{
  StashhogClient *self = STASHHOG_CLIENT (object);
  g_free (self->url);
  g_free (self->token);
  g_free (self->events_url);
  g_free (self->last_error);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (stashhog_client_parent_class)->finalize (object);
}

static void
stashhog_client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StashhogClient *self = STASHHOG_CLIENT (object);
  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, (int) self->state);
      break;
    case PROP_STATUS:
      g_value_set_pointer (value, (gpointer) stashhog_client_get_status (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stashhog_client_class_init (StashhogClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->dispose = stashhog_client_dispose;
  object_class->finalize = stashhog_client_finalize;
  object_class->get_property = stashhog_client_get_property;

  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, 0, STASHHOG_CONNECTION_UNAUTHENTICATED, 0,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] = g_param_spec_pointer ("status", NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIG_JOB_PROGRESS] = g_signal_new ("job-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                            NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_JOB_STATE] = g_signal_new ("job-state", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                         NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_SYNC_FINISHED] = g_signal_new ("sync-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                             NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_PLAN_CHANGED] = g_signal_new ("plan-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                            NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
stashhog_client_init (StashhogClient *self)
{
  self->context = g_main_context_ref_thread_default ();
}

StashhogClient *
stashhog_client_new (void)
{
  return g_object_new (STASHHOG_TYPE_CLIENT, NULL);
}

StashhogConnectionState
stashhog_client_get_state (StashhogClient *self)
{
  g_return_val_if_fail (STASHHOG_IS_CLIENT (self), STASHHOG_CONNECTION_DISCONNECTED);
  return self->state;
}

const char *
stashhog_client_get_url (StashhogClient *self)
{
  g_return_val_if_fail (STASHHOG_IS_CLIENT (self), NULL);
  return self->url;
}

const char *
stashhog_client_get_last_error (StashhogClient *self)
{
  g_return_val_if_fail (STASHHOG_IS_CLIENT (self), NULL);
  return self->last_error;
}

const Stashhog__StatusReply *
stashhog_client_get_status (StashhogClient *self)
{
  g_return_val_if_fail (STASHHOG_IS_CLIENT (self), NULL);
  return self->status_reply ? self->status_reply->status_info : NULL;
}
