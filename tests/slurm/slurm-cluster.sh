#!/usr/bin/env bash
# A throw-away Slurm cluster for the tests, in one folder of its own.
#
#   tests/slurm/slurm-cluster.sh start DIR [--nodes local|namespaces]
#   tests/slurm/slurm-cluster.sh stop DIR
#   tests/slurm/slurm-cluster.sh agent DIR NODE COMMAND...   (mpiexec's launch agent: runs COMMAND on NODE)
#
# start: DIR must be an empty folder the caller made (mktemp -d). Starts munged (its own key and socket
# in DIR), writes DIR/slurm.conf and starts slurmctld and slurmd in the foreground mode, in the
# background, then waits (at most START_LIMIT seconds) for every node to be idle.
#   --nodes local       one node: this host, named by `hostname -s`, with what `slurmd -C` reports
#                       (partition "one").
#   --nodes namespaces  two nodes, n1 and n2, each a network namespace and a UTS namespace of its own
#                       (its own host name), joined to this host by veth pairs on a bridge with a
#                       private /24 (10.231.X.0/24, the first X no interface here uses). No default
#                       route in the namespaces and no forwarding: their traffic goes only to each
#                       other and to this host (partition "two").
# Prints "export SLURM_CONF=..." lines to DIR/cluster.env for the tests to source. Exit status: 0 the
# cluster is up; 3 it cannot start here (the reason on stdout, one line, for the skip message:
# Slurm missing, not root, namespaces, bridges or veth pairs refused, daemons that exit or never
# become idle); 1 anything else (an error).
# stop: cancels the cluster's jobs, stops exactly the processes start recorded (and the job steps
# they left), deletes the namespaces, bridge and veth pairs it made, and removes DIR. Safe to call
# twice and after a failed start. Nothing outside DIR is written: no /etc file, no system service.
set -uo pipefail

START_LIMIT=60
STOP_LIMIT=20
SUBNET_PREFIX=10.231

die() { echo "slurm-cluster.sh: $*" >&2; exit 1; }
cannot() { echo "$*"; exit 3; }

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }

# --- process bookkeeping: DIR/pids holds "pid name" per process started -----------------------
record_pid() { echo "$1 $2" >>"$DIR/pids"; }

# The pids of every process below $1 (children, grandchildren, ...).
descendants() {
  local parent=$1 child
  for child in $(ps -o pid= --ppid "$parent" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

# Processes that hold a file under DIR open or have it as their working folder: the job steps
# (slurmstepd logs to the slurmd log file in DIR) and anything else this cluster left behind.
processes_using_dir() {
  local p
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    if ls -l "$p/fd" 2>/dev/null | grep -qF -- "-> $DIR/" || [ "$(readlink "$p/cwd" 2>/dev/null)" = "$DIR" ]; then
      echo "${p#/proc/}"
    fi
  done
}

# Running, not a zombie: the daemons' children are reparented when start's shell exits, and a
# parent that does not reap them leaves zombies that kill -0 still finds.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state
  state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ]
}

# TERM, then KILL after STOP_LIMIT seconds, to each pid given that is still running.
terminate() {
  local pids=("$@") p waited=0
  [ ${#pids[@]} -eq 0 ] && return 0
  for p in "${pids[@]}"; do alive "$p" && kill -TERM "$p" 2>/dev/null; done
  while [ "$waited" -lt $((STOP_LIMIT * 10)) ]; do
    local left=0
    for p in "${pids[@]}"; do alive "$p" && left=1; done
    [ "$left" -eq 0 ] && return 0
    sleep 0.1; waited=$((waited + 1))
  done
  for p in "${pids[@]}"; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
  return 0
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 20000))
    if ! ss -Htan 2>/dev/null | awk '{print $4}' | grep -qE "[:.]$port\$"; then echo "$port"; return; fi
  done
  die "no free TCP port found"
}

# --- namespaces -------------------------------------------------------------------------------
# The nodes n1 and n2: a network namespace each (ip netns), a veth pair whose host end joins a
# bridge, and a "holder" process in the namespace with its own UTS namespace (host name n1/n2).
# Everything of a node (slurmd, its steps, mpiexec's orted) enters the holder's namespaces.
make_namespaces() {
  command -v ip >/dev/null 2>&1 || cannot "no 'ip' command (iproute2) to make network namespaces"
  command -v nsenter >/dev/null 2>&1 || cannot "no 'nsenter' (util-linux) to enter namespaces"
  local tag="iop$$" x
  for x in $(seq 0 255); do
    ip -4 addr show 2>/dev/null | grep -qF " $SUBNET_PREFIX.$x." || break
  done
  local net="$SUBNET_PREFIX.$x"
  echo "$net" >"$DIR/subnet"
  # Each made thing is written down before it is made, so that stop removes what exists of it.
  echo "link ${tag}br" >>"$DIR/made"
  ip link add "${tag}br" type bridge 2>/dev/null ||
    cannot "cannot make network namespaces here (ip link add ... type bridge failed: no CAP_NET_ADMIN?)"
  ip addr add "$net.1/24" dev "${tag}br" && ip link set "${tag}br" up || cannot "cannot configure a bridge here (ip addr/link set on ${tag}br failed)"
  local i node ns
  for i in 1 2; do
    node="n$i"; ns="${tag}n$i"
    echo "netns $ns" >>"$DIR/made"
    ip netns add "$ns" 2>/dev/null || cannot "cannot make network namespaces here (ip netns add failed)"
    echo "link ${tag}h$i" >>"$DIR/made"
    ip link add "${tag}h$i" type veth peer name eth0 netns "$ns" || cannot "cannot make veth pairs here (ip link add ... type veth failed)"
    ip link set "${tag}h$i" master "${tag}br" && ip link set "${tag}h$i" up || cannot "cannot attach a veth end to the bridge here"
    ip -n "$ns" link set lo up && ip -n "$ns" addr add "$net.$((i + 1))/24" dev eth0 && ip -n "$ns" link set eth0 up ||
      cannot "cannot configure the network namespace $ns here"
    # The holder: a process in the namespace with its own host name, kept until stop.
    ip netns exec "$ns" unshare --uts sh -c "hostname $node && exec sleep 2147483647" >/dev/null 2>&1 &
    local holder=$!
    record_pid "$holder" "holder-$node"
    echo "$node $holder $net.$((i + 1))" >>"$DIR/nodes"
  done
  # Wait until each holder has its host name (unshare + hostname ran).
  local tries=0
  while [ "$tries" -lt 50 ]; do
    local ready=1
    while read -r node holder _; do
      [ "$(nsenter -t "$holder" --uts hostname 2>/dev/null)" = "$node" ] || ready=0
    done <"$DIR/nodes"
    [ "$ready" -eq 1 ] && break
    sleep 0.1; tries=$((tries + 1))
  done
  [ "$ready" -eq 1 ] || cannot "cannot give the namespaces host names of their own (unshare --uts)"
  # Bridges may pass no traffic until the ports have left the listening state.
  # (No ping needed: a TCP connect to a closed port that is refused has crossed the bridge.)
  tries=0
  local answer
  while answer=$(nsenter -t "$(awk 'NR==1{print $2}' "$DIR/nodes")" --net timeout 1 bash -c "exec 3<>/dev/tcp/$net.3/9" 2>&1)
    [ $? -ne 0 ] && [[ "$answer" != *refused* ]]; do
    tries=$((tries + 1)); [ "$tries" -lt 30 ] || cannot "n1 cannot reach n2 over the bridge (a firewall on bridged traffic?)"
    sleep 0.2
  done
}

# Runs a command inside node $1's namespaces (network and host name).
on_node() {
  local node=$1; shift
  local holder
  holder=$(awk -v n="$node" '$1 == n {print $2}' "$DIR/nodes")
  [ -n "$holder" ] || die "no node $node in $DIR/nodes"
  nsenter -t "$holder" --net --uts -- "$@"
}

# --- munge ------------------------------------------------------------------------------------
start_munge() {
  mkdir -p "$DIR/munge" && chmod 700 "$DIR/munge"
  head -c 1024 /dev/urandom >"$DIR/munge/munge.key" && chmod 400 "$DIR/munge/munge.key"
  # --force: munged refuses to run as root (or with a socket folder others may not enter) otherwise.
  munged --force --foreground --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed" \
    >>"$DIR/log/munged.out" 2>&1 &
  record_pid $! munged
  local tries=0
  until munge -S "$DIR/munge/munge.socket" -n 2>/dev/null | unmunge -S "$DIR/munge/munge.socket" >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 50 ] || cannot "munged did not start: $(tail -n 1 "$DIR/log/munged.log" 2>/dev/null)"
    sleep 0.1
  done
}

# --- slurm.conf -------------------------------------------------------------------------------
# The node line of this host from `slurmd -C` (its real CPUs, sockets, cores), RealMemory kept small
# so that the tests' jobs never wait for memory.
node_hardware() {
  slurmd -C 2>/dev/null | sed -n 's/^NodeName=[^ ]* //p' | sed -E 's/ RealMemory=[0-9]+//'
}

# task/affinity binds each task to its CPUs (bindings the tests can check); where it cannot load
# (no sched_setaffinity, say), task/none. The two namespace nodes share this host's CPUs, each
# believing it owns all of them: binding there would put n1's rank 0 and n2's rank 0 on the same
# CPU 0 (a 2x1 scalapack run took 8 s instead of 0.1 s), so they leave placement to the kernel.
task_plugin() {
  if [ "$1" = namespaces ]; then
    echo task/none
  elif [ -f /usr/lib/x86_64-linux-gnu/slurm-wlm/task_affinity.so ] || ls /usr/lib/*/slurm-wlm/task_affinity.so >/dev/null 2>&1; then
    echo task/affinity
  else
    echo task/none
  fi
}

write_conf() {
  local mode=$1 ctld_host ctld_addr hardware
  hardware=$(node_hardware)
  [ -n "$hardware" ] || cannot "slurmd -C reports no hardware for this host"
  ctld_host=$(hostname -s)
  local ctld_port slurmd_port
  ctld_port=$(free_port); slurmd_port=$(free_port)
  # Addresses given, not looked up: the host name may not resolve (a container's often does not).
  if [ "$mode" = namespaces ]; then ctld_addr="($(cat "$DIR/subnet").1)"; else ctld_addr="(127.0.0.1)"; fi
  cat >"$DIR/slurm.conf" <<EOF
# Written by tests/slurm/slurm-cluster.sh for one test run; everything lives in $DIR.
ClusterName=interoptest
SlurmctldHost=$ctld_host$ctld_addr
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$DIR/munge/munge.socket
CredType=cred/munge
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
# Per node (%n): the nodes share this host's /tmp, and the PMIx plugin makes its client folders in
# TmpFS, named by job and step only, so two nodes' steps would collide in one folder.
TmpFS=$DIR/tmp/%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd-%n.log
PlugStackConfig=$DIR/plugstack.conf
# No cgroups needed: processes tracked by their parentage, tasks bound with sched_setaffinity.
ProctrackType=proctrack/linuxproc
TaskPlugin=$(task_plugin "$mode")
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SchedulerType=sched/backfill
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
# Short waits: a cancelled or timed-out job gets SIGTERM, then SIGKILL KillWait seconds later.
KillWait=5
# sbatch --wait polls every 2 s while that is under half of MinJobAge (then 8, then 32 s): 5 keeps it at
# 2 s, and a finished job stays known long enough for the poll to see it end.
MinJobAge=5
SlurmdTimeout=30
OverTimeLimit=0
EOF
  if [ "$mode" = local ]; then
    cat >>"$DIR/slurm.conf" <<EOF
NodeName=$ctld_host NodeAddr=127.0.0.1 $hardware RealMemory=1000 State=UNKNOWN
PartitionName=one Nodes=$ctld_host Default=YES MaxTime=INFINITE State=UP
EOF
  else
    local node holder addr
    while read -r node holder addr; do
      echo "NodeName=$node NodeAddr=$addr NodeHostname=$node $hardware RealMemory=1000 State=UNKNOWN" >>"$DIR/slurm.conf"
    done <"$DIR/nodes"
    echo "PartitionName=two Nodes=n1,n2 Default=YES MaxTime=INFINITE State=UP" >>"$DIR/slurm.conf"
  fi
  : >"$DIR/plugstack.conf"
  local name
  for name in $(sed -n 's/^NodeName=\([^ ]*\).*/\1/p' "$DIR/slurm.conf"); do
    mkdir -p "$DIR/spool/$name" "$DIR/tmp/$name" || die "cannot write to $DIR"
  done
  echo "export SLURM_CONF=$DIR/slurm.conf" >"$DIR/cluster.env"
}

wait_idle() {
  local tries=0 states
  while [ "$tries" -lt $((START_LIMIT * 2)) ]; do
    states=$(SLURM_CONF="$DIR/slurm.conf" sinfo -h -N -o '%N=%t' 2>/dev/null | sort -u | tr '\n' ' ')
    if [ -n "$states" ] && ! grep -qvE '^ *$' <<<"$(tr ' ' '\n' <<<"$states" | grep -v '=idle$')"; then
      return 0
    fi
    # A daemon that died will not come back.
    while read -r pid name; do
      case "$name" in slurmctld|slurmd*) alive "$pid" || cannot "$name exited at start: $(grep -iE 'error|fatal' "$DIR/log/$name".* 2>/dev/null | tail -n 1)" ;; esac
    done <"$DIR/pids"
    sleep 0.5; tries=$((tries + 1))
  done
  cannot "the Slurm node(s) did not become idle within $START_LIMIT s (sinfo: ${states:-no answer})"
}

start() {
  local mode=local
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) mode="${2:-}"; shift 2 ;;
      *) die "unknown argument '$1'" ;;
    esac
  done
  case "$mode" in local|namespaces) ;; *) die "--nodes must be local or namespaces, got '$mode'" ;; esac
  local tool
  for tool in munged munge slurmctld slurmd sinfo srun sbatch scancel; do
    command -v "$tool" >/dev/null 2>&1 || cannot "Slurm is not installed here ($tool not found; ./build.sh test installs slurmctld slurmd slurm-client munge iproute2)"
  done
  [ "$(id -u)" -eq 0 ] || cannot "slurmd must run as root (this is uid $(id -u))"
  mkdir -p "$DIR/log" "$DIR/state" "$DIR/spool" "$DIR/run" || die "cannot write to $DIR"
  chmod 755 "$DIR"
  : >"$DIR/pids"; : >"$DIR/made"; : >"$DIR/nodes"
  [ "$mode" = namespaces ] && make_namespaces
  start_munge
  write_conf "$mode"
  slurmctld -D -f "$DIR/slurm.conf" >>"$DIR/log/slurmctld.out" 2>&1 &
  record_pid $! slurmctld
  if [ "$mode" = local ]; then
    slurmd -D -f "$DIR/slurm.conf" >>"$DIR/log/slurmd.out" 2>&1 &
    record_pid $! slurmd
  else
    local node holder addr
    while read -r node holder addr; do
      on_node "$node" slurmd -D -N "$node" -f "$DIR/slurm.conf" >>"$DIR/log/slurmd-$node.out" 2>&1 &
      record_pid $! "slurmd-$node"
    done <"$DIR/nodes"
  fi
  wait_idle
}

stop() {
  [ -d "$DIR" ] || return 0
  if [ -f "$DIR/slurm.conf" ] && [ -s "$DIR/pids" ]; then
    # Jobs first, so that their steps end through Slurm (bounded: scancel may find no controller).
    SLURM_CONF="$DIR/slurm.conf" timeout 10 scancel --quiet --full --signal=KILL --user "$(id -un)" >/dev/null 2>&1
    local tries=0
    while [ "$tries" -lt 20 ] && [ -n "$(SLURM_CONF="$DIR/slurm.conf" timeout 5 squeue -h -o %i 2>/dev/null)" ]; do
      sleep 0.5; tries=$((tries + 1))
    done
  fi
  # The job steps still running, the processes under DIR that were not recorded (slurmscriptd,
  # a step's tasks) and the Slurm daemons, all at once: slurmscriptd waits for slurmctld to end
  # it, so one by one each would sit out the whole limit. munged and the namespace holders last.
  local recorded=() last=() pid name child
  if [ -f "$DIR/pids" ]; then
    while read -r pid name; do
      recorded+=("$pid")
      case "$name" in munged|holder-*) last+=("$pid") ;; esac
    done <"$DIR/pids"
  fi
  local first=()
  for pid in "${recorded[@]}"; do [[ " ${last[*]} " == *" $pid "* ]] || first+=("$pid"); done
  for pid in $(processes_using_dir); do
    [[ " ${recorded[*]} " == *" $pid "* ]] && continue
    first+=("$pid")
    for child in $(descendants "$pid"); do first+=("$child"); done
  done
  terminate "${first[@]}"
  terminate "${last[@]}"
  if [ -f "$DIR/made" ]; then
    local kind thing
    while read -r kind thing; do
      case "$kind" in
        netns) ip netns del "$thing" 2>/dev/null ;;
        link) ip link del "$thing" 2>/dev/null ;;
      esac
    done < <(tac "$DIR/made")
  fi
  rm -rf "$DIR"
}

# mpiexec --mca plm_rsh_agent "slurm-cluster.sh agent DIR": called as `agent NODE COMMAND...` like ssh.
agent() {
  local node=$1; shift
  on_node "$node" sh -c "$*"
}

[ $# -ge 2 ] || { usage >&2; exit 2; }
action=$1; DIR=$(realpath -m "$2"); shift 2
case "$action" in
  start) [ -d "$DIR" ] || die "$DIR is not a folder"; start "$@" ;;
  stop) stop ;;
  agent) agent "$@" ;;
  *) usage >&2; exit 2 ;;
esac
