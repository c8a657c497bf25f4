/* handlers.h - private to rpc/: the signature every handler has, and the
 * handlers each domain file provides to dispatch.c. */
#ifndef SH_RPC_HANDLERS_H
#define SH_RPC_HANDLERS_H

#include "rpc/rpc.h"

typedef sh_status (*sh_rpc_request_fn)(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w,
                                      sh_error *err);

/* status.c */
sh_status sh_rpc_ping(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_status(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);

/* Helpers for handlers. */
#define SH_RPC_REPLY(call, member, case_) \
    ((call)->reply->body_case = STASHHOG__REPLY__BODY__##case_, (call)->reply->member)

#endif
