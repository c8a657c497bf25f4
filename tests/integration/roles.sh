#!/usr/bin/env bash
# Multi-user roles over tcp: an admin adds a viewer, a reviewer and an admin;
# each is refused exactly what its role may not do (with a message naming the
# role needed), rotation and removal kill old tokens at once, set-role takes
# effect on the next request, the owner token and local sockets stay admin,
# tokens never reach the database files or the log, and failed attempts are
# still rate-limited.
source "$(dirname "$0")/lib.sh"

start_daemon --listen tcp://127.0.0.1:0
status=$(ctl --json status)
tcp=$(jqr '.listen_urls[] | select(startswith("tcp://127."))' <<<"$status")
db=$(jqr .db_path <<<"$status")
owner=$(STASHHOG_DATA_DIR=$DATA "$BIN/stashhogd" --show-token)
remote() { local tok=$1; shift; "$BIN/stashhogctl" --connect "$tcp" --token "$tok" "$@"; }

# ---- local socket: the owner, admin
assert_eq "$(ctl users whoami)" "owner (admin)" "ipc identity"
assert_eq "$(ctl --json status | jqr .user)" "owner" "status reports the user"

# ---- an admin adds users; without a terminal only the token is printed
tok_v=$(ctl users add vic --role viewer)
tok_r=$(ctl users add rita --role reviewer)
tok_a=$(ctl users add ada --role ADMIN)
for t in "$tok_v" "$tok_r" "$tok_a"; do
    [[ $t =~ ^[0-9a-f]{64}$ ]] || fail "users add printed something other than a token"
done
all_tokens=("$owner" "$tok_v" "$tok_r" "$tok_a")
rc=0; err=$(ctl users add vic --role admin 2>&1) || rc=$?
assert_eq "$rc" 1 "duplicate user"
assert_contains "$err" "already exists"
assert_fails ctl users add owner --role viewer
assert_fails ctl users add "bad name" --role viewer
rc=0; ctl users add zed --role root >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 2 "unknown role is a usage error"
list=$(ctl --json users list)
assert_eq "$(jq '.users | length' <<<"$list")" 3 "three users"
assert_eq "$(jq -r '[.users[] | .name + ":" + (.role | tostring)] | join(",")' <<<"$list" | tr 'A-Z' 'a-z')" \
    "ada:role_admin,rita:role_reviewer,vic:role_viewer" "list names and roles"
assert_not_contains "$list" "$tok_v" "list shows no tokens"

# ---- a viewer reads the sealed network event stream with the key Status hands out
assert_not_contains "$(remote "$tok_v" --json status)" "$owner" "status never reveals the owner token"
remote "$tok_v" --json events --topic job. --count 1 --for 20 >"$SCRATCH/viewer-events.json" &
ev_pid=$!
sleep 1
ctl sync entities >/dev/null 2>&1 || true # a job, failing or not, publishes job events
wait "$ev_pid" || fail "viewer could not read events"
assert_contains "$(cat "$SCRATCH/viewer-events.json")" '"topic":"job.' "viewer received a job event"

# ---- identities over tcp
assert_eq "$(remote "$owner" users whoami)" "owner (admin)" "owner token"
assert_eq "$(remote "$tok_v" users whoami)" "vic (viewer)"
assert_eq "$(remote "$tok_r" users whoami)" "rita (reviewer)"
assert_eq "$(remote "$tok_a" users whoami)" "ada (admin)"
assert_eq "$(remote "$tok_r" --json status | jqr .role)" "ROLE_REVIEWER" "status reports the role"

# ---- each role refused exactly what it may not do.  MIN is the least role
# that may; a caller below it must get "needs the MIN role; you are ROLE",
# one at or above it must not get a permission error (other errors, such as
# "not found" for the made-up IDs, are fine).
rank() { case $1 in viewer) echo 1 ;; reviewer) echo 2 ;; admin) echo 3 ;; esac; }
checks=(
    "viewer|status"
    "viewer|scenes list --limit 1"
    "viewer|performers list --limit 1"
    "viewer|jobs list"
    "viewer|jobs show 424242"
    "viewer|plans list"
    "viewer|plans show 424242"
    "viewer|schedules list"
    "viewer|sync history"
    "viewer|filters list"
    "reviewer|analyze --fields studio"
    "reviewer|sync full"
    "reviewer|plans accept 424242"
    "reviewer|plans delete 424242"
    "reviewer|jobs cancel 424242"
    "reviewer|filters delete nosuchfilter"
    "admin|plans apply 424242"
    "admin|plans rollback 424242"
    "admin|settings get"
    "admin|settings set stash.url http://127.0.0.1:9"
    "admin|schedules delete 424242"
    "admin|schedules run 424242"
    "admin|webhooks list"
    "admin|users list"
    "admin|users rotate nosuchuser"
)
declare -A tok_of=([viewer]=$tok_v [reviewer]=$tok_r [admin]=$tok_a)
refusals=0
for entry in "${checks[@]}"; do
    min=${entry%%|*}
    read -r -a cmd <<<"${entry#*|}"
    for role in viewer reviewer admin; do
        rc=0; out=$(remote "${tok_of[$role]}" --timeout 10 "${cmd[@]}" 2>&1) || rc=$?
        if (($(rank "$role") < $(rank "$min"))); then
            [[ $rc -ne 0 ]] || fail "$role may not: ${cmd[*]}"
            assert_contains "$out" "needs the $min role; you are $role" "$role: ${cmd[*]}"
            refusals=$((refusals + 1))
        else
            assert_not_contains "$out" "needs the" "$role: ${cmd[*]}"
            assert_not_contains "$out" "authentication required" "$role: ${cmd[*]}"
        fi
    done
done
assert_eq "$refusals" 24 "refusals (viewer 15, reviewer 9)"
# --json errors say it too
rc=0; out=$(remote "$tok_v" --json plans apply 424242 2>/dev/null) || rc=$?
assert_eq "$rc" 1 "viewer apply exit code"
assert_eq "$(jqr .error.message <<<"$out")" "plan apply needs the admin role; you are viewer"

# ---- rotation: the old token stops working at once, the new one works
tok_r2=$(ctl users rotate rita)
[[ $tok_r2 =~ ^[0-9a-f]{64}$ && $tok_r2 != "$tok_r" ]] || fail "rotate printed no new token"
rc=0; err=$(remote "$tok_r" ping 2>&1) || rc=$?
assert_eq "$rc" 1 "old token after rotation"
assert_contains "$err" "authentication required"
assert_eq "$(remote "$tok_r2" users whoami)" "rita (reviewer)" "new token after rotation"
all_tokens+=("$tok_r2")
rc=0; err=$(ctl users rotate owner 2>&1) || rc=$?
assert_contains "$err" "stashhogd --rotate-token"

# ---- set-role applies to the next request
out=$(ctl users set-role rita admin)
assert_contains "$out" "rita is now admin"
remote "$tok_r2" users list >/dev/null || fail "promoted reviewer cannot list users"
ctl users set-role rita viewer >/dev/null
rc=0; err=$(remote "$tok_r2" analyze --fields studio 2>&1) || rc=$?
assert_contains "$err" "needs the reviewer role; you are viewer"

# ---- an admin user can manage users; removal kills the token at once
tok_tmp=$(remote "$tok_a" users add temp --role viewer)
all_tokens+=("$tok_tmp")
assert_eq "$(remote "$tok_tmp" users whoami)" "temp (viewer)"
out=$(remote "$tok_a" users remove temp)
assert_contains "$out" "removed user temp"
rc=0; err=$(remote "$tok_tmp" ping 2>&1) || rc=$?
assert_eq "$rc" 1 "removed user's token"
assert_contains "$err" "authentication required"
assert_fails ctl users remove temp
# last seen is recorded
assert_eq "$(ctl --json users list | jq '[.users[] | select(.name == "vic") | has("last_seen_at_ms")] | .[0]')" \
    "true" "last seen recorded"

# ---- tokens never stored or logged in plaintext (the DB, its WAL, the log)
for t in "${all_tokens[@]:1}"; do
    for f in "$db" "$db-wal"; do
        [[ -f $f ]] || continue
        if grep -qaF "$t" "$f"; then fail "a user token is stored in plaintext in $(basename "$f")"; fi
    done
done
for t in "${all_tokens[@]}"; do
    if grep -qaF "$t" "$SCRATCH/daemon.log"; then fail "a token reached the daemon log"; fi
done
assert_contains "$(cat "$SCRATCH/daemon.log")" "refused plan_apply from 127.0.0.1"

# ---- failed attempts are still rate-limited, for user tokens too
for i in 1 2 3 4 5; do
    rc=0; remote "wrong-$i" ping >/dev/null 2>&1 || rc=$?
    assert_eq "$rc" 1 "wrong token $i"
done
rc=0; err=$(remote "$tok_a" ping 2>&1) || rc=$?
assert_eq "$rc" 1 "blocked peer with a user token"
assert_contains "$err" "too many failed authentication attempts"
# ...while the local socket, the owner's, is unaffected
ctl ping >/dev/null || fail "ipc locked out"

stop_daemon
pass
