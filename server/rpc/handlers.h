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

/* scenes.c: browsing */
sh_status sh_rpc_scene_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_scene_get(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_entity_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);

/* jobs.c */
sh_status sh_rpc_job_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_job_get(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_job_cancel(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_job_retry(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);

/* schedules.c */
sh_status sh_rpc_schedule_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_schedule_save(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_schedule_delete(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_schedule_run(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_schedule_history(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_cron_preview(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);

/* settings.c */
sh_status sh_rpc_settings_get(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_settings_set(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_test_connection(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);

/* sync.c */
sh_status sh_rpc_sync_start(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_sync_history(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);

/* backup.c */
sh_status sh_rpc_backup(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_backup_chunk(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_restore_chunk(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);

/* filters.c: saved filters */
sh_status sh_rpc_filter_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_filter_save(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_filter_get(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_filter_delete(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);

/* plans.c */
sh_status sh_rpc_analyze(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_plan_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_plan_get(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_plan_review(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_plan_edit(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_plan_apply(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_plan_rollback(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_plan_delete(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_plan_export(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);

/* webhooks.c */
sh_status sh_rpc_webhook_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_webhook_save(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_webhook_delete(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_webhook_test(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_webhook_log(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);

/* stats.c */
sh_status sh_rpc_stats(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);

/* users.c: user management (admin) */
sh_status sh_rpc_user_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_user_create(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_user_delete(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_user_rotate(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_user_set_role(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);

/* import.c */
sh_status sh_rpc_plan_import(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);
sh_status sh_rpc_scene_import(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err);

/* reply.c: the small replies many handlers share.  reply_job fills JobRef;
 * type NULL = look it up from the job row; plan_id 0 = none. */
sh_status sh_rpc_reply_empty(sh_rpc_call *call, sh_error *err);
sh_status sh_rpc_reply_job(sh_rpc_call *call, sh_rpc_worker *w, int64_t job_id, const char *type,
                           int64_t plan_id, sh_error *err);

#endif
