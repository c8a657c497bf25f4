#!/usr/bin/env bash
# export scenes / import scenes lose nothing (docs/FORMATS.md):
#  - on a cache synced from the fake Stash (codes, details, urls, several
#    files, hostile titles), for JSON and CSV: export -> import into an empty
#    cache -> export is byte-identical, and so are the cached scene rows
#    (scenes, files with ids and every column, urls, performer/tag links)
#  - export -> the cache changes (Stash edits synced) -> import -> export
#    gives back the first export byte for byte (a restore)
#  - one format imported, the other exported equals that format's export
#  - an old summary-only export imports over the cache without dropping the
#    fields it does not carry
source "$(dirname "$0")/lib.sh"

start_fake_stash --scenes 300 --seed 5
start_daemon
ctl settings set stash.url "$FAKE_STASH_URL" >/dev/null
ctl sync full --wait >/dev/null 2>&1 || fail "full sync failed"

# hostile and rich scenes: formulas, quotes, line breaks, leading quotes,
# several urls and files (one without size), codes starting with '-'
fake_stash POST /__control/scenes/3 '{"title": "=cmd|\" /C calc\"!A0, \"quoted\"\nnext line",
  "details": "  spaced, \"quoted\"\r\nsecond line  ", "code": "-12",
  "urls": ["https://a.example/3", "https://b.example/x?y=1,2", "@handle"]}' >/dev/null
fake_stash POST /__control/scenes/4 "{\"title\": \"'=already quoted\", \"code\": \"'plain\",
  \"files\": [{\"path\": \"/lib/four, part 1.mp4\", \"size\": 1234567890123, \"duration\": 1712.345,
    \"width\": 1920, \"height\": 1080, \"frame_rate\": 29.97, \"video_codec\": \"hevc\"},
   {\"path\": \"/lib/four; part 2.mkv\", \"duration\": 0.1, \"width\": 640, \"height\": 360,
    \"frame_rate\": 23.976},
   {\"path\": \"/dup/four [480p].mp4\", \"size\": 0, \"duration\": 3, \"frame_rate\": 60}]}" >/dev/null
fake_stash POST /__control/scenes/5 '{"title": "+ünïcödé ☃ title", "details": "@tab\tinside"}' >/dev/null
ctl sync incremental --wait >/dev/null 2>&1 || fail "incremental sync failed"

DB=$DATA/stashhog.db
q() { sqlite3 "$1" "$2"; }
# what the fake library gave us, so the round trip is not a trivial one
[[ $(q "$DB" "SELECT count(*) FROM scenes WHERE code IS NOT NULL") -gt 10 ]] || fail "too few codes cached"
[[ $(q "$DB" "SELECT count(*) FROM scenes WHERE details IS NOT NULL") -gt 10 ]] || fail "too few details cached"
[[ $(q "$DB" "SELECT count(DISTINCT scene_id) FROM scene_urls") -gt 10 ]] || fail "too few urls cached"
[[ $(q "$DB" "SELECT count(*) FROM (SELECT scene_id FROM scene_files GROUP BY 1 HAVING count(*) > 1)") -gt 5 ]] ||
    fail "too few scenes with several files"
assert_eq "$(q "$DB" "SELECT count(*) FROM scene_files WHERE scene_id = 4")" 3 "scene 4 has three files"

# every cached scene row, in a stable order (what "lossless" means for the cache)
dump_cache() {
    sqlite3 "$1" <<'SQL'
.mode quote
SELECT 'scene', * FROM scenes ORDER BY id;
SELECT 'file', id, scene_id, position, path, basename, size, duration, width, height, frame_rate, video_codec
  FROM scene_files ORDER BY scene_id, position;
SELECT 'url', * FROM scene_urls ORDER BY scene_id, position;
SELECT 'performer', * FROM scene_performers ORDER BY 2, 3;
SELECT 'tag', * FROM scene_tags ORDER BY 2, 3;
SELECT 'fts', rowid, * FROM scene_fts ORDER BY rowid;
SQL
}

# a fresh daemon with an empty cache: sets CTL_<NAME> and DB_<NAME>
start_empty() {
    local dir=$SCRATCH/$1
    mkdir -p "$dir/data" "$dir/run"
    STASHHOG_DATA_DIR=$dir/data STASHHOG_RUNTIME_DIR=$dir/run STASHHOG_CONFIG=/dev/null \
        "$BIN/stashhogd" --log-level info >>"$SCRATCH/$1.log" 2>&1 &
    local pid=$!
    on_cleanup "kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null"
    printf -v "URL_$1" '%s' "ipc://$dir/run/stashhogd.sock"
    printf -v "DB_$1" '%s' "$dir/data/stashhog.db"
    wait_for "daemon $1" 20 "$BIN/stashhogctl" --connect "ipc://$dir/run/stashhogd.sock" ping
}
on() { local url="URL_$1"; shift; "$BIN/stashhogctl" --connect "${!url}" "$@"; }

same() { # same FILE-A FILE-B WHAT
    cmp -s "$1" "$2" || fail "$3 differ: $(diff "$1" "$2" | head -8)"
}

dump_cache "$DB" >"$SCRATCH/cache-a.txt"
for fmt in json csv; do
    ctl export scenes --format "$fmt" -o "$SCRATCH/a.$fmt" 2>/dev/null
    # ---- into an empty cache and out again
    start_empty "empty_$fmt"
    res=$(on "empty_$fmt" --json import scenes --batch 70 "$SCRATCH/a.$fmt")
    assert_eq "$(jqr .scenes <<<"$res")" 300 "$fmt: scenes imported"
    assert_eq "$(jq '.warnings | length' <<<"$res")" 0 "$fmt: no warnings"
    [[ $(jqr .entities_created <<<"$res") -gt 0 ]] || fail "$fmt: no entities created"
    on "empty_$fmt" export scenes --format "$fmt" -o "$SCRATCH/b.$fmt" 2>/dev/null
    same "$SCRATCH/a.$fmt" "$SCRATCH/b.$fmt" "$fmt: export after import into an empty cache"
    db_var="DB_empty_$fmt"
    dump_cache "${!db_var}" >"$SCRATCH/cache-$fmt.txt"
    same "$SCRATCH/cache-a.txt" "$SCRATCH/cache-$fmt.txt" "$fmt: cached scene rows"
done

# the CSV quotes and defuses what it must
python3 - "$SCRATCH/a.csv" <<'PY' || fail "CSV export is not the documented CSV"
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
assert rows[0] == ['id', 'title', 'date', 'studio', 'performers', 'tags', 'path', 'organized', 'updated_at',
                   'code', 'details', 'urls', 'files', 'created_at', 'synced_at_ms'], rows[0]
assert len(rows) == 301, len(rows)
by_id = {r[0]: r for r in rows[1:]}
assert by_id['3'][1] == '\'=cmd|" /C calc"!A0, "quoted"\nnext line', repr(by_id['3'][1])
assert by_id['3'][9] == "'-12", by_id['3'][9]
assert json.loads(by_id['3'][11]) == ['https://a.example/3', 'https://b.example/x?y=1,2', '@handle']
assert by_id['4'][1] == "''=already quoted" and by_id['4'][9] == "''plain", by_id['4']
files = json.loads(by_id['4'][12])
assert [f['path'] for f in files] == ['/lib/four, part 1.mp4', '/lib/four; part 2.mkv', '/dup/four [480p].mp4']
assert files[0]['size'] == 1234567890123 and files[0]['frame_rate'] == 29.97, files
assert by_id['4'][6] == '/lib/four, part 1.mp4'
PY

# ---- cross format: JSON in, CSV out (and back)
on empty_json export scenes --format csv -o "$SCRATCH/json-in.csv" 2>/dev/null
same "$SCRATCH/a.csv" "$SCRATCH/json-in.csv" "JSON imported, CSV exported"
on empty_csv export scenes --format json -o "$SCRATCH/csv-in.json" 2>/dev/null
same "$SCRATCH/a.json" "$SCRATCH/csv-in.json" "CSV imported, JSON exported"

# ---- restore over a cache that moved on: Stash edits, synced, then import
for fmt in json csv; do
    fake_stash POST /__control/scenes/3 "{\"title\": \"changed $fmt\", \"urls\": [], \"code\": \"\"}" >/dev/null
    fake_stash POST /__control/scenes/4 '{"files": [{"path": "/elsewhere/four.mp4"}], "details": "new"}' >/dev/null
    fake_stash POST /__control/scenes/6 '{"performer_ids": [], "tag_ids": [], "organized": true}' >/dev/null
    ctl sync incremental --wait >/dev/null 2>&1 || fail "incremental sync after edits failed"
    ctl export scenes --format "$fmt" -o "$SCRATCH/moved.$fmt" 2>/dev/null
    cmp -s "$SCRATCH/a.$fmt" "$SCRATCH/moved.$fmt" && fail "$fmt: the edits did not reach the cache"
    ctl import scenes "$SCRATCH/a.$fmt" >/dev/null || fail "$fmt: import over the cache failed"
    ctl export scenes --format "$fmt" -o "$SCRATCH/restored.$fmt" 2>/dev/null
    same "$SCRATCH/a.$fmt" "$SCRATCH/restored.$fmt" "$fmt: export after restoring import"
    dump_cache "$DB" >"$SCRATCH/cache-restored.txt"
    same "$SCRATCH/cache-a.txt" "$SCRATCH/cache-restored.txt" "$fmt: cached scene rows after restore"
done

# ---- the old summary-only formats still import, touching only their fields
jq '[.[] | {id, title, date, studio, performers, tags, path, organized, updated_at}
     | with_entries(select(.value != null))]' "$SCRATCH/a.json" >"$SCRATCH/old.json"
jq -e '.[] | select(.id == 4) | has("files") | not' "$SCRATCH/old.json" >/dev/null || fail "old.json has files"
res=$(ctl --json import scenes "$SCRATCH/old.json")
assert_eq "$(jqr .scenes <<<"$res")" 300 "old JSON: scenes imported"
ctl export scenes --format json -o "$SCRATCH/after-old.json" 2>/dev/null
same "$SCRATCH/a.json" "$SCRATCH/after-old.json" "old JSON over the cache"
# the old CSV as the old exporter wrote it: entity names, formula guard on = + - @ only
python3 - "$SCRATCH/a.json" "$SCRATCH/old.csv" <<'PY' || fail "cannot write the old CSV"
import csv, json, sys
def g(v):
    return "'" + v if v[:1] in ('=', '+', '-', '@', '\t', '\r') else v
scenes = json.load(open(sys.argv[1], encoding='utf-8'))
with open(sys.argv[2], 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f)
    w.writerow(['id', 'title', 'date', 'studio', 'performers', 'tags', 'path', 'organized', 'updated_at'])
    for s in scenes:
        w.writerow([s['id'], g(s.get('title', '')), s.get('date', ''), g((s.get('studio') or {}).get('name', '')),
                    g('; '.join(p['name'] for p in s['performers'])), g('; '.join(t['name'] for t in s['tags'])),
                    g(s.get('path', '')), 'true' if s.get('organized') else 'false', s.get('updated_at', '')])
PY
# old CSV cannot say a name holding "; ", an entity whose name another
# shares (Stash tells them apart by disambiguation), or a title starting
# with ' then = (scene 4): compare the scenes without those
names=$(jq -r '.[] | ((.performers + .tags)[].name), (.studio.name // empty)' "$SCRATCH/a.json")
grep -q '; ' <<<"$names" && fail "the fake library has an entity name with '; ' (test needs another seed)"
shared=$(q "$DB" "SELECT json_group_array(name) FROM (SELECT name FROM performers GROUP BY name COLLATE NOCASE
  HAVING count(*) > 1 UNION SELECT name FROM studios GROUP BY name COLLATE NOCASE HAVING count(*) > 1
  UNION SELECT name FROM tags GROUP BY name COLLATE NOCASE HAVING count(*) > 1)")
plain() { # the scenes old CSV can describe exactly
    jq -c --argjson shared "$shared" '.[] | select(.id != 4)
        | select([(.performers + .tags)[].name, (.studio.name // empty)] | any(IN($shared[])) | not)' "$1"
}
res=$(ctl --json import scenes "$SCRATCH/old.csv")
assert_eq "$(jqr .scenes <<<"$res")" 300 "old CSV: scenes imported"
assert_eq "$(jq '.warnings | length' <<<"$res")" 0 "old CSV: every entity known"
ctl export scenes --format json -o "$SCRATCH/after-old-csv.json" 2>/dev/null
plain "$SCRATCH/a.json" >"$SCRATCH/plain-a.json"
plain "$SCRATCH/after-old-csv.json" >"$SCRATCH/plain-b.json"
[[ $(wc -l <"$SCRATCH/plain-a.json") -gt 200 ]] || fail "too few scenes old CSV describes exactly"
same "$SCRATCH/plain-a.json" "$SCRATCH/plain-b.json" "old CSV over the cache"
# what it cannot name, it does not take away: scene 4 keeps every other field
assert_eq "$(jq -c '.[] | select(.id == 4) | del(.title)' "$SCRATCH/after-old-csv.json")" \
    "$(jq -c '.[] | select(.id == 4) | del(.title)' "$SCRATCH/a.json")" "old CSV: scene 4 keeps its other fields"
stop_daemon
pass
