/* Schema version 1: the whole data model.  Included by migrations.c only.
 * Timestamps from Stash are kept as the strings Stash returned (RFC 3339,
 * compared as strings by Stash itself); our own times are Unix milliseconds. */
static const char *const schema_v1[] = {
    /* ---- entities */
    "CREATE TABLE studios ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  parent_id INTEGER,"
    "  ignore_auto_tag INTEGER NOT NULL DEFAULT 0,"
    "  stash_created_at TEXT, stash_updated_at TEXT,"
    "  synced_at INTEGER NOT NULL)",
    "CREATE INDEX studios_name ON studios(name COLLATE NOCASE)",
    "CREATE INDEX studios_parent ON studios(parent_id)",
    "CREATE TABLE studio_aliases ("
    "  studio_id INTEGER NOT NULL REFERENCES studios(id) ON DELETE CASCADE,"
    "  alias TEXT NOT NULL,"
    "  PRIMARY KEY (studio_id, alias)) WITHOUT ROWID",
    "CREATE TABLE performers ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  disambiguation TEXT,"
    "  gender TEXT,"
    "  ignore_auto_tag INTEGER NOT NULL DEFAULT 0,"
    "  stash_created_at TEXT, stash_updated_at TEXT,"
    "  synced_at INTEGER NOT NULL)",
    "CREATE INDEX performers_name ON performers(name COLLATE NOCASE)",
    "CREATE TABLE performer_aliases ("
    "  performer_id INTEGER NOT NULL REFERENCES performers(id) ON DELETE CASCADE,"
    "  alias TEXT NOT NULL,"
    "  PRIMARY KEY (performer_id, alias)) WITHOUT ROWID",
    "CREATE TABLE tags ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  ignore_auto_tag INTEGER NOT NULL DEFAULT 0,"
    "  stash_created_at TEXT, stash_updated_at TEXT,"
    "  synced_at INTEGER NOT NULL)",
    "CREATE INDEX tags_name ON tags(name COLLATE NOCASE)",
    "CREATE TABLE tag_aliases ("
    "  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,"
    "  alias TEXT NOT NULL,"
    "  PRIMARY KEY (tag_id, alias)) WITHOUT ROWID",

    /* ---- scenes.  studio_id is not a foreign key: a scene may reference a
     * studio synced a moment later, and Stash is the source of truth. */
    "CREATE TABLE scenes ("
    "  id INTEGER PRIMARY KEY,"
    "  title TEXT, code TEXT, details TEXT, date TEXT,"
    "  studio_id INTEGER,"
    "  organized INTEGER NOT NULL DEFAULT 0,"
    "  primary_path TEXT,"
    "  stash_created_at TEXT, stash_updated_at TEXT,"
    "  synced_at INTEGER NOT NULL)",
    "CREATE INDEX scenes_studio ON scenes(studio_id, id)",
    "CREATE INDEX scenes_date ON scenes(date, id)",
    "CREATE INDEX scenes_title ON scenes(title COLLATE NOCASE, id)",
    "CREATE INDEX scenes_path ON scenes(primary_path, id)",
    "CREATE INDEX scenes_updated ON scenes(stash_updated_at, id)",
    "CREATE INDEX scenes_organized ON scenes(organized, id)",
    "CREATE TABLE scene_urls ("
    "  scene_id INTEGER NOT NULL REFERENCES scenes(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  url TEXT NOT NULL,"
    "  PRIMARY KEY (scene_id, position)) WITHOUT ROWID",
    "CREATE TABLE scene_files ("
    "  id INTEGER PRIMARY KEY,"
    "  scene_id INTEGER NOT NULL REFERENCES scenes(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  path TEXT NOT NULL,"
    "  basename TEXT,"
    "  size INTEGER, duration REAL, width INTEGER, height INTEGER,"
    "  frame_rate REAL, video_codec TEXT)",
    "CREATE INDEX scene_files_scene ON scene_files(scene_id, position)",
    "CREATE TABLE scene_performers ("
    "  scene_id INTEGER NOT NULL REFERENCES scenes(id) ON DELETE CASCADE,"
    "  performer_id INTEGER NOT NULL,"
    "  PRIMARY KEY (scene_id, performer_id)) WITHOUT ROWID",
    "CREATE INDEX scene_performers_performer ON scene_performers(performer_id, scene_id)",
    "CREATE TABLE scene_tags ("
    "  scene_id INTEGER NOT NULL REFERENCES scenes(id) ON DELETE CASCADE,"
    "  tag_id INTEGER NOT NULL,"
    "  PRIMARY KEY (scene_id, tag_id)) WITHOUT ROWID",
    "CREATE INDEX scene_tags_tag ON scene_tags(tag_id, scene_id)",
    /* Full-text search; rowid = scene id.  Kept in step by the scene store. */
    "CREATE VIRTUAL TABLE scene_fts USING fts5("
    "  title, details, paths, performers, studio, tags, code,"
    "  tokenize = 'unicode61 remove_diacritics 2 tokenchars ''-''')",

    /* ---- sync bookkeeping */
    "CREATE TABLE sync_state ("
    "  kind TEXT PRIMARY KEY,"             /* scenes, performers, studios, tags */
    "  watermark TEXT,"                     /* newest updated_at Stash returned */
    "  cursor_id INTEGER,"                  /* keyset position of an unfinished full run */
    "  run_id INTEGER,"
    "  updated_at INTEGER NOT NULL)",
    "CREATE TABLE sync_runs ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('full','incremental','scene','entities')),"
    "  job_id INTEGER,"
    "  status TEXT NOT NULL CHECK (status IN ('running','completed','failed','cancelled','interrupted')),"
    "  started_at INTEGER NOT NULL,"
    "  finished_at INTEGER,"
    "  scenes_upserted INTEGER NOT NULL DEFAULT 0,"
    "  scenes_deleted INTEGER NOT NULL DEFAULT 0,"
    "  performers INTEGER NOT NULL DEFAULT 0,"
    "  studios INTEGER NOT NULL DEFAULT 0,"
    "  tags INTEGER NOT NULL DEFAULT 0,"
    "  requests INTEGER NOT NULL DEFAULT 0,"
    "  watermark TEXT,"
    "  error TEXT)",
    "CREATE INDEX sync_runs_started ON sync_runs(started_at)",

    /* ---- jobs and schedules */
    "CREATE TABLE jobs ("
    "  id INTEGER PRIMARY KEY,"
    "  type TEXT NOT NULL,"
    "  params TEXT NOT NULL DEFAULT '{}',"
    "  status TEXT NOT NULL CHECK (status IN ('queued','running','completed','failed','cancelled')),"
    "  done INTEGER NOT NULL DEFAULT 0,"
    "  total INTEGER NOT NULL DEFAULT 0,"
    "  message TEXT,"
    "  result TEXT,"
    "  error TEXT,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  max_attempts INTEGER NOT NULL DEFAULT 3,"
    "  not_before INTEGER NOT NULL DEFAULT 0,"   /* backoff: do not start before (ms) */
    "  retry_of INTEGER REFERENCES jobs(id) ON DELETE SET NULL,"
    "  schedule_id INTEGER REFERENCES schedules(id) ON DELETE SET NULL,"
    "  cancel_requested INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  started_at INTEGER,"
    "  finished_at INTEGER,"
    "  updated_at INTEGER NOT NULL)",
    "CREATE INDEX jobs_status ON jobs(status, not_before, id)",
    "CREATE INDEX jobs_schedule ON jobs(schedule_id, id)",
    "CREATE INDEX jobs_finished ON jobs(finished_at)",
    "CREATE INDEX jobs_type ON jobs(type, id)",
    "CREATE TABLE schedules ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  job_type TEXT NOT NULL,"
    "  params TEXT NOT NULL DEFAULT '{}',"
    "  cron TEXT,"
    "  interval_s INTEGER,"
    "  enabled INTEGER NOT NULL DEFAULT 1,"
    "  catch_up INTEGER NOT NULL DEFAULT 1,"
    "  last_slot INTEGER,"          /* the last slot fired (Unix s): never twice */
    "  last_run_at INTEGER,"
    "  next_run_at INTEGER,"
    "  last_job_id INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  CHECK ((cron IS NULL) <> (interval_s IS NULL)))",

    /* ---- plans */
    "CREATE TABLE plans ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('draft','reviewing','applying','applied',"
    "    'partially_applied','rolled_back','failed')),"
    "  options TEXT NOT NULL DEFAULT '{}',"
    "  filter TEXT NOT NULL DEFAULT '{}',"
    "  job_id INTEGER,"
    "  scene_count INTEGER NOT NULL DEFAULT 0,"
    "  prompt_tokens INTEGER NOT NULL DEFAULT 0,"
    "  completion_tokens INTEGER NOT NULL DEFAULT 0,"
    "  cost_usd REAL NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  applied_at INTEGER,"
    "  rolled_back_at INTEGER)",
    "CREATE TABLE plan_changes ("
    "  id INTEGER PRIMARY KEY,"
    "  plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,"
    "  scene_id INTEGER NOT NULL,"
    "  field TEXT NOT NULL,"
    "  current_value TEXT,"    /* JSON */
    "  proposed_value TEXT,"   /* JSON */
    "  confidence REAL NOT NULL DEFAULT 0,"
    "  analyzer TEXT,"
    "  reason TEXT,"
    "  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','accepted','rejected',"
    "    'applied','failed','conflict','rolled_back')),"
    "  error TEXT,"
    "  applied_at INTEGER,"
    "  UNIQUE (plan_id, scene_id, field))",
    "CREATE INDEX plan_changes_status ON plan_changes(plan_id, status)",
    "CREATE INDEX plan_changes_field ON plan_changes(plan_id, field)",
    "CREATE INDEX plan_changes_scene ON plan_changes(scene_id)",
    /* The exact state of a scene in Stash just before apply wrote to it. */
    "CREATE TABLE plan_preimages ("
    "  plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,"
    "  scene_id INTEGER NOT NULL,"
    "  preimage TEXT NOT NULL,"       /* JSON as read from Stash */
    "  postimage TEXT,"               /* JSON after our write, for rollback conflict checks */
    "  captured_at INTEGER NOT NULL,"
    "  written INTEGER NOT NULL DEFAULT 0,"
    "  restored INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (plan_id, scene_id)) WITHOUT ROWID",

    /* ---- settings and caches */
    "CREATE TABLE settings ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT,"          /* plain values */
    "  sealed BLOB,"         /* secrets: libsodium secretbox, never plaintext */
    "  updated_at INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE llm_cache ("
    "  key TEXT PRIMARY KEY,"        /* hash of model + inputs */
    "  model TEXT NOT NULL,"
    "  response TEXT NOT NULL,"
    "  prompt_tokens INTEGER NOT NULL DEFAULT 0,"
    "  completion_tokens INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL) WITHOUT ROWID",
};
