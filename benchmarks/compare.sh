#!/usr/bin/env bash
# compare.sh: redis-benchmark against a real redis-server and redisk, side by side.
#
# Starts redis-server (AOF, appendfsync everysec, no RDB), redisk at each
# requested durability level and optionally a peer server, each on its own
# free loopback port and temporary directory; runs redis-benchmark for each
# test with and without pipelining, interleaving the servers for several
# rounds; takes the median requests/s; records peak RSS (VmHWM) and any
# errors redis-benchmark saw; prints a Markdown report and writes it (plus the
# raw numbers and an SVG bar chart of the ratios, drawn by benchmarks/chart)
# to benchmarks/out/. All servers are stopped on exit.
#
# Usage: benchmarks/compare.sh [options]
#   -n N               requests per redis-benchmark run (default 100000)
#   -r ROUNDS          rounds (default 3); the median of the rounds is reported
#   -c CLIENTS         parallel connections (default 50)
#   -P PIPE            pipeline depth of the pipelined runs (default 16)
#   -d BYTES           value size of SET/GET/... (redis-benchmark -d; default: its own, 3)
#   -t LIST            comma-separated tests (default: the 19 of the performance targets,
#                      PING_INLINE,PING_MBULK,SET,GET,INCR,LPUSH,RPUSH,LPOP,RPOP,SADD,HSET,SPOP,
#                      ZADD,ZPOPMIN,LRANGE_100,LRANGE_300,LRANGE_500,LRANGE_600,MSET)
#   --sync LIST        redisk durability levels, comma-separated (default everysec; e.g. everysec,always,no)
#   --all-sync         same as --sync everysec,always,no
#   --peer PATH        also benchmark PATH, started as `PATH --port PORT` in its own temp dir
#                      (make sure it binds to loopback only, or use --peer-cmd)
#   --peer-cmd TMPL    start the peer with this command line instead; {port} and {dir} are replaced
#   --peer-name NAME   the peer's column title (default: basename of the binary)
#   --bin PATH         use this redisk binary instead of building one
#   --head             build redisk from the committed HEAD (git archive) instead of the working tree
#   --shards N         pass --shards N to redisk (default: redisk's own default)
#   --timeout SECS     limit for one redis-benchmark run (default 300)
#   --out DIR          where to write the report (default benchmarks/out)
#   -h, --help         this text
#
# The servers' data live under $TMPDIR (default /tmp); point TMPDIR at the
# disk you want measured (fsync cost differs between tmpfs, ext4, ...).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

N=100000
ROUNDS=3
CLIENTS=50
PIPE=16
TESTS=PING_INLINE,PING_MBULK,SET,GET,INCR,LPUSH,RPUSH,LPOP,RPOP,SADD,HSET,SPOP,ZADD,ZPOPMIN,LRANGE_100,LRANGE_300,LRANGE_500,LRANGE_600,MSET
SYNCS=everysec
PEER=""
PEER_CMD=""
PEER_NAME=""
BIN=""
FROM_HEAD=0
SHARDS=""
RUN_TIMEOUT=300
OUT="$here/out"
RANDKEYS=100000
VALSIZE=""

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() {
	echo "compare.sh: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	-n) N=$2; shift 2 ;;
	-r) ROUNDS=$2; shift 2 ;;
	-c) CLIENTS=$2; shift 2 ;;
	-P) PIPE=$2; shift 2 ;;
	-d) VALSIZE=$2; shift 2 ;;
	-t) TESTS=$2; shift 2 ;;
	--sync) SYNCS=$2; shift 2 ;;
	--all-sync) SYNCS=everysec,always,no; shift ;;
	--peer) PEER=$2; shift 2 ;;
	--peer-cmd) PEER_CMD=$2; shift 2 ;;
	--peer-name) PEER_NAME=$2; shift 2 ;;
	--bin) BIN=$2; shift 2 ;;
	--head) FROM_HEAD=1; shift ;;
	--shards) SHARDS=$2; shift 2 ;;
	--timeout) RUN_TIMEOUT=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
done

for v in N ROUNDS CLIENTS PIPE RUN_TIMEOUT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done
[ -z "$SHARDS" ] || [[ $SHARDS =~ ^[1-9][0-9]*$ ]] || die "--shards must be a positive integer"
IFS=, read -r -a tests <<<"$TESTS"
IFS=, read -r -a syncs <<<"$SYNCS"
for s in "${syncs[@]}"; do
	case "$s" in everysec | always | no) ;; *) die "unknown durability level '$s'" ;; esac
done
for cmd in redis-server redis-benchmark redis-cli ss timeout; do
	command -v "$cmd" >/dev/null || die "$cmd not found"
done
if [ -n "$PEER" ] && [ -z "$PEER_CMD" ]; then
	[ -x "$PEER" ] || die "peer $PEER is not executable"
	PEER_CMD="$(printf '%q' "$PEER") --port {port}"
fi
if [ -n "$PEER_CMD" ] && [ -z "$PEER_NAME" ]; then
	PEER_NAME=$(basename "${PEER:-${PEER_CMD%% *}}")
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/redisk-compare.XXXXXX")
names=() pids=() ports=() dirs=()
bench_pid=""

cleanup() {
	local rc=$? i pid
	trap - EXIT INT TERM
	if [ -n "$bench_pid" ]; then
		kill -TERM "$bench_pid" 2>/dev/null || true
		wait "$bench_pid" 2>/dev/null || true
	fi
	for i in "${!pids[@]}"; do
		pid=${pids[$i]}
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
	done
	for i in "${!pids[@]}"; do
		pid=${pids[$i]}
		[ -n "$pid" ] || continue
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "compare.sh: ${names[$i]} (pid $pid) ignored SIGTERM, killing" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "compare.sh: line $LINENO: command failed" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# proc_ticks PID prints the CPU time (user + system, in clock ticks) the
# process has used so far.
CLK_TCK=$(getconf CLK_TCK)
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || true; }

# free_port prints a loopback TCP port nobody listens on and we have not used.
free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 12000)) # below the usual ephemeral range (32768+)
		[[ " ${ports[*]} " == *" $p "* ]] && continue
		[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] || continue
		echo "$p"
		return
	done
	die "no free port found"
}

# start NAME CMDLINE DIR PORT: runs CMDLINE (a bash command) in DIR with exec,
# so that the recorded pid is the server's own, and waits for PING.
start() {
	local name=$1 cmdline=$2 dir=$3 port=$4 pid
	(cd "$dir" && exec bash -c "exec $cmdline") >"$dir/server.log" 2>&1 &
	pid=$!
	names+=("$name") pids+=("$pid") ports+=("$port") dirs+=("$dir")
	for _ in $(seq 150); do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -20 "$dir/server.log" >&2
			die "$name exited during startup"
		fi
		if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
			log "$name up: pid $pid port $port dir $dir"
			return
		fi
		sleep 0.1
	done
	die "$name did not answer PING on port $port"
}

# Build redisk.
rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$BIN" ]; then
	[ -x "$BIN" ] || die "$BIN is not executable"
	build_note="prebuilt binary $BIN"
elif [ "$FROM_HEAD" = 1 ]; then
	log "building redisk from HEAD $rev"
	mkdir "$work/src"
	git -C "$repo" archive HEAD | tar -x -C "$work/src"
	(cd "$work/src" && go build -o "$work/redisk" .)
	BIN=$work/redisk
	build_note="commit $rev (git archive HEAD)"
else
	dirty=""
	[ -z "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ] || dirty=" + uncommitted changes"
	log "building redisk from the working tree ($rev$dirty)"
	(cd "$repo" && go build -o "$work/redisk" .)
	BIN=$work/redisk
	build_note="working tree at $rev$dirty"
fi

# Start the servers.
mkdir "$work/redis"
p=$(free_port)
start redis "redis-server --bind 127.0.0.1 --port $p --save '' --appendonly yes --appendfsync everysec --dir $(printf '%q' "$work/redis")" "$work/redis" "$p"
for s in "${syncs[@]}"; do
	d="$work/redisk-$s"
	mkdir "$d"
	p=$(free_port)
	extra=""
	[ -z "$SHARDS" ] || extra=" --shards $SHARDS"
	start "redisk-$s" "$(printf '%q' "$BIN") --bind 127.0.0.1 --port $p --dir $(printf '%q' "$d/data") --appendfsync $s$extra" "$d" "$p"
done
if [ -n "$PEER_CMD" ]; then
	d="$work/peer"
	mkdir "$d"
	p=$(free_port)
	cmdline=${PEER_CMD//\{port\}/$p}
	cmdline=${cmdline//\{dir\}/$(printf '%q' "$d")}
	start "$PEER_NAME" "$cmdline" "$d" "$p"
fi
nserv=${#names[@]}

# Benchmark: rounds × tests × (no pipelining, -P) × servers, rotating the
# server order every round so that no server always runs first.
results=$work/results.tsv # server test pipe round rps
cpu=$work/cpu.tsv         # server test pipe round µs-of-server-CPU-per-request
errors=$work/errors.txt
: >"$results"
: >"$cpu"
: >"$errors"
pipes=(1 "$PIPE")
total=$((ROUNDS * ${#tests[@]} * 2 * nserv))
done_runs=0
start_time=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for ((round = 1; round <= ROUNDS; round++)); do
	for t in "${tests[@]}"; do
		for pp in "${pipes[@]}"; do
			for ((k = 0; k < nserv; k++)); do
				i=$(((k + round - 1) % nserv))
				name=${names[$i]} port=${ports[$i]}
				done_runs=$((done_runs + 1))
				args=(-h 127.0.0.1 -p "$port" -q -c "$CLIENTS" -n "$N" -r "$RANDKEYS" ${VALSIZE:+-d "$VALSIZE"} -t "$t")
				[ "$pp" = 1 ] || args+=(-P "$pp")
				outf=$work/run.out
				rc=0
				ticks0=$(proc_ticks "${pids[$i]}")
				# In the background and waited for, so that a signal to this
				# script is handled at once rather than after the run.
				timeout -k 5 "$RUN_TIMEOUT" redis-benchmark "${args[@]}" >"$outf" 2>&1 </dev/null &
				bench_pid=$!
				wait "$bench_pid" || rc=$?
				bench_pid=""
				# -q prints progress lines ended by \r; the result is the last line.
				tr '\r' '\n' <"$outf" >"$outf.lines"
				rps=$(sed -n 's/^.*: \([0-9.][0-9.]*\) requests per second.*$/\1/p' "$outf.lines" | tail -1)
				problems=$(grep -E 'ERR|WRONGTYPE|Error|error|failed|refused|reset' "$outf.lines" | sort | uniq -c | sort -rn | head -5 | sed -E 's/^ *([0-9]+) /\1× /' || true)
				if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
					problems="timed out after ${RUN_TIMEOUT}s${problems:+$'\n'$problems}"
				elif [ "$rc" != 0 ]; then
					problems="exit status $rc${problems:+$'\n'$problems}"
				fi
				[ -n "$rps" ] || problems="no requests/s line in the output${problems:+$'\n'$problems}"
				kill -0 "${pids[$i]}" 2>/dev/null || problems="server process ${pids[$i]} is gone${problems:+$'\n'$problems}"
				if [ -n "$problems" ]; then
					{
						echo "- $name, $t, -P $pp, round $round: redis-benchmark ${args[*]}"
						sed 's/^/    /' <<<"$problems"
					} >>"$errors"
					log "$name $t -P $pp: PROBLEM: $(head -1 <<<"$problems")"
				fi
				[ -z "$rps" ] || printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$t" "$pp" "$round" "$rps" >>"$results"
				ticks1=$(proc_ticks "${pids[$i]}")
				if [ -n "$ticks0" ] && [ -n "$ticks1" ]; then
					awk -v a="$ticks0" -v b="$ticks1" -v hz="$CLK_TCK" -v n="$N" -v s="$name" -v t="$t" -v p="$pp" -v r="$round" \
						'BEGIN {printf "%s\t%s\t%s\t%s\t%.1f\n", s, t, p, r, (b-a)/hz*1e6/n}' >>"$cpu"
				fi
				log "[$done_runs/$total] round $round $t -P $pp $name: ${rps:-?} req/s"
				kill -0 "${pids[$i]}" 2>/dev/null || die "$name died; see ${dirs[$i]}/server.log"
			done
		done
	done
done
elapsed=$(($(date +%s) - start_time))
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# Warnings and errors the servers logged (redis-server's startup warnings
# about the kernel are not interesting, so only redisk and the peer).
declare -A logprob
for i in "${!names[@]}"; do
	[ "${names[$i]}" != redis ] || continue
	logprob[${names[$i]}]=$(grep -aE 'level=(ERROR|WARN)|panic|fatal' "${dirs[$i]}/server.log" | sed -E 's/^time=[^ ]+ //' | sort | uniq -c | sort -rn | head -5 | sed -E 's/^ *([0-9]+) /\1× /' || true)
done

# Peak memory and disk use, before stopping anything.
declare -A hwm rss disk keys
for i in "${!names[@]}"; do
	hwm[${names[$i]}]=$(awk '/^VmHWM:/ {print $2}' "/proc/${pids[$i]}/status" 2>/dev/null || echo "")
	rss[${names[$i]}]=$(awk '/^VmRSS:/ {print $2}' "/proc/${pids[$i]}/status" 2>/dev/null || echo "")
	disk[${names[$i]}]=$(du -sk "${dirs[$i]}" 2>/dev/null | cut -f1)
	keys[${names[$i]}]=$(timeout 10 redis-cli -h 127.0.0.1 -p "${ports[$i]}" dbsize 2>/dev/null || echo "?")
done

# median SERVER TEST PIPE [FILE [FORMAT]] prints the median req/s (or the
# median of FILE's last column; empty when no run succeeded).
median() {
	awk -F'\t' -v s="$1" -v t="$2" -v p="$3" '$1==s && $2==t && $3==p {print $5}' "${4:-$results}" | sort -g |
		awk -v f="${5:-%.0f}" '{v[NR]=$1} END {if (NR==0) exit; if (NR%2) printf f, v[(NR+1)/2]; else printf f, (v[NR/2]+v[NR/2+1])/2}'
}
# spread SERVER TEST PIPE prints (max-min)/median in percent.
spread() {
	awk -F'\t' -v s="$1" -v t="$2" -v p="$3" '$1==s && $2==t && $3==p {print $5}' "$results" | sort -g |
		awk '{v[NR]=$1} END {if (NR<2) exit; m = (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; if (m>0) printf "%.0f", 100*(v[NR]-v[1])/m}'
}
# cpu_median SERVER TEST PIPE prints the median CPU per request in µs.
cpu_median() { median "$1" "$2" "$3" "$cpu" %.1f; }

# per_server FUNC prints a table of FUNC SERVER TEST PIPE: a row per test,
# a column per server and pipeline depth.
per_server() {
	local t name a b
	printf '| test |'
	for name in "${names[@]}"; do printf ' %s | %s -P %s |' "$name" "$name" "$PIPE"; done
	printf '\n|---|'
	for _ in "${names[@]}"; do printf -- '---:|---:|'; done
	printf '\n'
	for t in "${tests[@]}"; do
		printf '| %s |' "$t"
		for name in "${names[@]}"; do
			a=$("$1" "$name" "$t" 1) b=$("$1" "$name" "$t" "$PIPE")
			printf ' %s | %s |' "${a:-–}" "${b:-–}"
		done
		printf '\n'
	done
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a=="" || b=="" || b==0) print "–"; else printf "%.2f", a/b}'; }
fmt() { [ -n "$1" ] && printf "%'d" "$1" 2>/dev/null || printf '%s' "${1:-–}"; }
mib() { awk -v k="$1" 'BEGIN {if (k=="") print "–"; else printf "%.1f MiB", k/1024}'; }

table() {
	local pp=$1 t i name base m
	printf '| test | redis req/s |'
	for ((i = 1; i < nserv; i++)); do printf ' %s req/s | ratio |' "${names[$i]}"; done
	printf '\n|---|---:|'
	for ((i = 1; i < nserv; i++)); do printf -- '---:|---:|'; done
	printf '\n'
	for t in "${tests[@]}"; do
		base=$(median redis "$t" "$pp")
		printf '| %s | %s |' "$t" "$(fmt "$base")"
		for ((i = 1; i < nserv; i++)); do
			name=${names[$i]}
			m=$(median "$name" "$t" "$pp")
			printf ' %s | %s |' "$(fmt "$m")" "$(ratio "$m" "$base")"
		done
		printf '\n'
	done
}

stamp=$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
report=$OUT/compare-$stamp.md

# SVG bar chart of the ratios next to the report (benchmarks/chart, plain Go).
chart=""
series=$(IFS=,; echo "${names[*]:1}")
subtitle="median of $ROUNDS rounds of redis-benchmark -c $CLIENTS -n $N -r $RANDKEYS${VALSIZE:+ -d $VALSIZE}; redisk: $build_note; $(date -u '+%Y-%m-%d %H:%M UTC')"
if command -v go >/dev/null &&
	(cd "$repo" && go run ./benchmarks/chart -in "$results" -out "$OUT/compare-$stamp.svg" -base redis \
		-servers "$series" -tests "$TESTS" -subtitle "$subtitle") 2>"$work/chart.err"; then
	chart=compare-$stamp.svg
	cp "$OUT/$chart" "$OUT/latest.svg"
else
	log "no chart: $(head -3 "$work/chart.err" 2>/dev/null || echo 'go not found')"
fi
cmdline="benchmarks/compare.sh"
[ "$N" = 100000 ] || cmdline+=" -n $N"
[ "$ROUNDS" = 3 ] || cmdline+=" -r $ROUNDS"
[ "$CLIENTS" = 50 ] || cmdline+=" -c $CLIENTS"
[ "$PIPE" = 16 ] || cmdline+=" -P $PIPE"
[ -z "$VALSIZE" ] || cmdline+=" -d $VALSIZE"
[ "$TESTS" = PING_INLINE,PING_MBULK,SET,GET,INCR,LPUSH,RPUSH,LPOP,RPOP,SADD,HSET,SPOP,ZADD,ZPOPMIN,LRANGE_100,LRANGE_300,LRANGE_500,LRANGE_600,MSET ] || cmdline+=" -t $TESTS"
[ "$SYNCS" = everysec ] || cmdline+=" --sync $SYNCS"
[ -z "$SHARDS" ] || cmdline+=" --shards $SHARDS"
[ "$FROM_HEAD" = 0 ] || cmdline+=" --head"
[ -z "$PEER_CMD" ] || cmdline+=" --peer-cmd '$PEER_CMD'"
{
	echo "## redis-benchmark: redis-server vs redisk"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); run time ${elapsed}s"
	echo "- command: \`$cmdline\`"
	echo "- redisk: $build_note$([ -z "$SHARDS" ] || echo ", --shards $SHARDS")"
	echo "- redis: $(redis-server --version | sed 's/ sha=.*//'), --appendonly yes --appendfsync everysec --save ''"
	[ -z "$PEER_CMD" ] || echo "- peer $PEER_NAME: \`$PEER_CMD\`"
	echo "- data: $(findmnt -n -o FSTYPE -T "$work" 2>/dev/null || echo '?') file system under ${TMPDIR:-/tmp}"
	echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/^MemTotal:/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo), Linux $(uname -r)"
	echo "- load average (1/5/15 min) at start: $load_start; at end: $load_end (other work on the machine skews single runs; the order of servers rotates every round)"
	echo "- each cell: median of $ROUNDS runs of \`redis-benchmark -q -c $CLIENTS -n $N -r $RANDKEYS${VALSIZE:+ -d $VALSIZE} -t TEST\`; ratio = server / redis"
	echo
	echo "### No pipelining"
	echo
	table 1
	echo
	echo "### Pipelining -P $PIPE"
	echo
	table "$PIPE"
	echo
	if [ -n "$chart" ]; then
		echo "### Ratios"
		echo
		echo "![ratio to redis per test, both pipeline depths]($chart)"
		echo
	fi
	echo "### Server CPU per request (µs of user + system time, median)"
	echo
	echo "What the server process spent per request, from /proc/PID/stat around each run: less sensitive to a"
	echo "shared machine than req/s. LRANGE_* runs include the LPUSH redis-benchmark runs first to fill the list."
	echo
	per_server cpu_median
	echo
	echo "### Memory and disk (at the end of the run)"
	echo
	echo "| server | peak RSS (VmHWM) | RSS at end | data dir | keys (DBSIZE) |"
	echo "|---|---:|---:|---:|---:|"
	for name in "${names[@]}"; do
		echo "| $name | $(mib "${hwm[$name]}") | $(mib "${rss[$name]}") | $(mib "${disk[$name]}") | ${keys[$name]} |"
	done
	echo
	echo "### Run-to-run spread ((max−min)/median, %)"
	echo
	per_server spread
	echo
	echo "### Errors reported by redis-benchmark"
	echo
	if [ -s "$errors" ]; then
		cat "$errors"
	else
		echo "none"
	fi
	echo
	echo "### Warnings and errors in the servers' logs"
	echo
	any=""
	for name in "${names[@]}"; do
		[ -n "${logprob[$name]:-}" ] || continue
		any=1
		echo "- $name:"
		sed 's/^/    /' <<<"${logprob[$name]}"
	done
	[ -n "$any" ] || echo "none"
} >"$report"
cp "$results" "$OUT/compare-$stamp.tsv"
cp "$cpu" "$OUT/compare-$stamp-cpu.tsv"
cp "$report" "$OUT/latest.md"
cat "$report"
log "report written to $report (raw numbers: $OUT/compare-$stamp.tsv${chart:+, chart: $OUT/$chart})"
[ ! -s "$errors" ] || exit 1
