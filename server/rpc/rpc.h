/* rpc.h - the daemon's request handlers: a dispatch table from the request's
 * oneof case to one handler per request type, grouped one file per domain
 * (status.c, settings.c, scenes.c, jobs.c, schedules.c, plans.c).
 *
 * Handlers run on RPC worker threads (see common/sh-rpc-server.h) with the
 * worker's own database connections; anything long starts a job and returns
 * its id.  Everything they hang off the reply comes from call->arena. */
#ifndef SH_RPC_H
#define SH_RPC_H

#include "services.h"
#include "sh-rpc-server.h"

/* The sh_rpc_handler_fn given to the server; user is the sh_services. */
sh_status sh_rpc_dispatch(sh_rpc_call *call, void *services, sh_error *err);
/* The sh_rpc_auth_fn: local sockets are the owner, tcp needs the owner's or
 * a user's token; sets call->user and call->role (see auth.h). */
sh_status sh_rpc_authenticate(sh_rpc_call *call, void *services, sh_error *err);
/* worker_init / worker_fini for the server. */
void *sh_rpc_worker_init(void *services, int index);
void sh_rpc_worker_fini(void *worker, void *services);

#endif
