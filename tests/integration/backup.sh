#!/usr/bin/env bash
# Backup while a sync writes (over tcp, so it works remotely) gives a
# consistent snapshot; restore stages it and swaps it in at the next start;
# bad uploads are refused; the scene cache exports as JSON and quoted CSV.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed (packaging/install-deps.sh installs it)"

PAGE=200
start_fake_stash --scenes 3000 --seed 21 --page-delay-ms 80
start_daemon --listen tcp://127.0.0.1:0
ctl settings set stash.url "$FAKE_STASH_URL" stash.page_size $PAGE >/dev/null
tcp=$(ctl --json status | jqr '.listen_urls[] | select(startswith("tcp://"))')
token=$(STASHHOG_DATA_DIR=$DATA "$BIN/stashhogd" --show-token)
remote() { STASHHOG_TOKEN=$token "$BIN/stashhogctl" --connect "$tcp" "$@"; }
scenes_in() { sqlite3 "$1" "SELECT count(*) FROM scenes"; }

# A consistent file: intact, no dangling references, whole sync pages only
# (each page of scenes is one transaction, so a torn copy shows up as a
# count that is not a multiple of the page size).
assert_consistent() {
    local db=$1
    assert_eq "$(sqlite3 "$db" 'PRAGMA integrity_check')" ok "integrity of $db"
    assert_eq "$(sqlite3 "$db" 'PRAGMA foreign_key_check' | wc -l)" 0 "foreign keys of $db"
    assert_eq "$(sqlite3 "$db" 'PRAGMA journal_mode')" delete "backup is a standalone file"
    local n; n=$(scenes_in "$db")
    assert_eq "$((n % PAGE))" 0 "whole pages in $db ($n scenes)"
}

# ---- backups over tcp while a full sync runs
ctl sync full --wait >"$SCRATCH/sync1.out" 2>&1 &
sync_pid=$!
wait_for "the sync to write scenes" 30 bash -c "[[ \$('$BIN/stashhogctl' --connect '$RPC_URL' --json status | jq .scene_count) -gt 0 ]]"
mids=()
for i in 1 2 3; do
    remote backup "$SCRATCH/mid$i.db" >/dev/null || fail "backup $i during sync"
    assert_consistent "$SCRATCH/mid$i.db"
    mids+=("$(scenes_in "$SCRATCH/mid$i.db")")
    sleep 0.3
done
log "scenes in the mid-sync backups: ${mids[*]}"
wait "$sync_pid" || fail "sync failed: $(cat "$SCRATCH/sync1.out")"
((mids[0] < 3000)) || fail "the first backup was not taken during the sync"

# ---- a final backup over ipc; JSON output; no snapshot left behind
out=$(ctl --json backup "$SCRATCH/final.db")
assert_eq "$(jqr .integrity_ok <<<"$out")" true "integrity reported"
assert_eq "$(jqr .size <<<"$out")" "$(stat -c %s "$SCRATCH/final.db")" "size reported"
assert_eq "$(jqr .sha256 <<<"$out")" "$(sha256sum "$SCRATCH/final.db" | cut -d' ' -f1)" "sha256 reported"
assert_consistent "$SCRATCH/final.db"
assert_eq "$(scenes_in "$SCRATCH/final.db")" 3000 "final backup has the whole library"
assert_eq "$(find "$DATA" -name 'backup-*' | wc -l)" 0 "snapshots released"
rc=0; err=$(ctl backup "$SCRATCH/final.db" 2>&1) || rc=$?
assert_eq "$rc" 2 "existing target without --force"
assert_contains "$err" "use --force"
ctl backup --force "$SCRATCH/final.db" >/dev/null || fail "backup --force"

# ---- restore: bad files are refused, a good one is staged and applied at restart
printf 'not a database at all' >"$SCRATCH/junk.db"
assert_fails ctl restore "$SCRATCH/junk.db"
sqlite3 "$SCRATCH/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
rc=0; err=$(ctl restore "$SCRATCH/other.db" 2>&1) || rc=$?
[[ $rc -ne 0 ]] || fail "a foreign database was accepted"
assert_contains "$err" "is not a StashHog database"
[[ ! -e $DATA/restore-pending.db ]] || fail "a refused restore was staged"
assert_eq "$(find "$DATA" -name 'restore-*.part' | wc -l)" 0 "refused upload removed"

want=${mids[0]}
out=$(remote restore "$SCRATCH/mid1.db") || fail "restore over tcp"
assert_contains "$out" "staged"
[[ -f $DATA/restore-pending.db ]] || fail "restore not staged"
assert_eq "$(ctl --json status | jqr .scene_count)" 3000 "the running daemon keeps its database until restart"
stop_daemon
# The snapshot holds the sync job as running, so the restored daemon re-queues
# it; with Stash away it cannot write while we look at the restored data.
kill -TERM "$FAKE_STASH_PID"; wait "$FAKE_STASH_PID" 2>/dev/null || true; FAKE_STASH_PID=""
start_daemon --listen tcp://127.0.0.1:0
tcp=$(ctl --json status | jqr '.listen_urls[] | select(startswith("tcp://"))')
assert_eq "$(ctl --json status | jqr .scene_count)" "$want" "restored scene count"
assert_eq "$(sqlite3 "$DATA/stashhog.db" "SELECT count(*) FROM scenes")" "$want" "restored file"
ls "$DATA"/stashhog.db.pre-restore-* >/dev/null 2>&1 || fail "previous database not kept"
assert_eq "$(sqlite3 "$DATA/stashhog.db" 'PRAGMA integrity_check')" ok "restored database integrity"
[[ ! -e $DATA/restore-pending.db ]] || fail "pending restore left behind"

# ---- export: JSON and CSV with proper quoting of hostile titles
for id in $(ctl --json jobs list | jq -r '.jobs[]? | select(.status == "JOB_STATUS_QUEUED" or .status == "JOB_STATUS_RUNNING") | .id'); do
    ctl jobs cancel "$id" >/dev/null 2>&1 || true
done
start_fake_stash --scenes 3000 --seed 21
ctl settings set stash.url "$FAKE_STASH_URL" >/dev/null
ctl --json jobs list >"$SCRATCH/jobs.json"
ctl sync full --wait >"$SCRATCH/sync2.out" 2>&1 || fail "re-sync after restore: $(cat "$SCRATCH/sync2.out")"
fake_stash POST /__control/scenes/5 '{"title": "=cmd|\" /C calc\"!A0, \"quoted\"\nnext line"}' >/dev/null
ctl sync incremental --wait >/dev/null || fail "incremental sync"
ctl export scenes --format json >"$SCRATCH/scenes.json"
assert_eq "$(jq length <"$SCRATCH/scenes.json")" 3000 "JSON export count"
assert_eq "$(jq -r '.[] | select(.id == 5) | .title' <"$SCRATCH/scenes.json")" \
    "$(printf '=cmd|" /C calc"!A0, "quoted"\nnext line')" "JSON title round trip"
ctl export scenes --format csv --output "$SCRATCH/scenes.csv" 2>/dev/null
python3 - "$SCRATCH/scenes.csv" <<'PY' || fail "CSV export is not valid CSV"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
assert rows[0] == ['id', 'title', 'date', 'studio', 'performers', 'tags', 'path', 'organized', 'updated_at',
                   'code', 'details', 'urls', 'files', 'created_at', 'synced_at_ms'], rows[0]
assert len(rows) == 3001, len(rows)
title = [r for r in rows[1:] if r[0] == '5'][0][1]
# the formula is defused with a leading quote, the rest is intact
assert title == '\'=cmd|" /C calc"!A0, "quoted"\nnext line', repr(title)
PY
ctl export scenes --format csv --raw | python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
t = [r for r in rows[1:] if r[0] == "5"][0][1]
assert t.startswith("=cmd"), t' || fail "--raw keeps cells as they are"
org=$(sqlite3 "$DATA/stashhog.db" "SELECT count(*) FROM scenes WHERE organized = 1")
assert_eq "$(ctl export scenes --organized yes | jq length)" "$org" "filtered export"
remote export scenes --format json >"$SCRATCH/remote.json" 2>"$SCRATCH/remote.err" || fail "export over tcp: $(cat "$SCRATCH/remote.err")"
assert_eq "$(jq length <"$SCRATCH/remote.json")" 3000 "export over tcp"

stop_daemon
pass
