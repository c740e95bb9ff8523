/**
 * A bash script, run out of band (a second `docker exec`, or a second local process), that
 * stops the command the persistent shell is running: it kills every descendant of the shell
 * except the background jobs that existed when the command began (the shell writes their pids
 * to /tmp/.agent-jobs.<shell pid> before each command), then sends SIGINT to the shell, which
 * makes it abandon the rest of the command script. Uses /proc (minimal Debian images have no
 * `ps`), falling back to `ps` where /proc is missing (macOS hosts). Prints how many it killed.
 * Usage: bash -c "$KILL_TREE_SCRIPT" kill-tree SHELL_PID
 */
export const KILL_TREE_SCRIPT = [
  'shell_pid=$1',
  'spared_file=/tmp/.agent-jobs.$shell_pid',
  'declare -A spared',
  'if [ -r "$spared_file" ]; then',
  '  while read -r pid; do [ -n "$pid" ] && spared[$pid]=1; done < "$spared_file"',
  'fi',
  'kill -INT "$shell_pid" 2>/dev/null',
  'total=0',
  // A fork bomb forks while it is scanned: scan and kill again until a scan finds nothing (at most 8 rounds).
  'for round in 1 2 3 4 5 6 7 8; do',
  '  declare -A parent_of=() session_of=()',
  '  if [ -d /proc/self ]; then',
  '    for stat in /proc/[0-9]*/stat; do',
  '      read -r line < "$stat" 2>/dev/null || continue',
  '      pid=${line%% *}',
  '      rest=${line##*) }',
  '      set -- $rest',
  // A zombie is dead already (killed in an earlier round, not yet reaped).
  '      [ "$1" = Z ] && continue',
  '      parent_of[$pid]=$2',
  '      session_of[$pid]=$4',
  '    done',
  '  else',
  '    while read -r pid ppid; do parent_of[$pid]=$ppid; done < <(ps -A -o pid= -o ppid=)',
  '  fi',
  '  declare -A victim=()',
  '  frontier=("$shell_pid")',
  '  while [ ${#frontier[@]} -gt 0 ]; do',
  '    next=()',
  '    for pid in "${!parent_of[@]}"; do',
  '      for ancestor in "${frontier[@]}"; do',
  '        if [ "${parent_of[$pid]}" = "$ancestor" ] && [ -z "${spared[$pid]:-}" ] && [ -z "${victim[$pid]:-}" ]; then',
  '          next+=("$pid")',
  '          victim[$pid]=1',
  '        fi',
  '      done',
  '    done',
  '    frontier=("${next[@]}")',
  '  done',
  // When the shell leads a session of its own (a docker exec, a detached local shell), what the
  // command started is in that session even after its parent died and it was handed to init.
  '  if [ "${session_of[$shell_pid]:-}" = "$shell_pid" ]; then',
  '    for pid in "${!session_of[@]}"; do',
  '      [ "${session_of[$pid]}" = "$shell_pid" ] && [ "$pid" != "$shell_pid" ] || continue',
  // A spared background job and what it started stay.
  '      ancestor=$pid',
  '      while [ -n "$ancestor" ] && [ "$ancestor" != 0 ] && [ "$ancestor" != 1 ] && [ -z "${spared[$ancestor]:-}" ]; do ancestor=${parent_of[$ancestor]:-}; done',
  '      [ -n "$ancestor" ] && [ -n "${spared[$ancestor]:-}" ] && continue',
  '      victim[$pid]=1',
  '    done',
  '  fi',
  '  [ ${#victim[@]} -eq 0 ] && break',
  '  kill -STOP "${!victim[@]}" 2>/dev/null',
  '  kill -KILL "${!victim[@]}" 2>/dev/null',
  '  total=$((total + ${#victim[@]}))',
  '  unset victim parent_of session_of',
  'done',
  'echo "$total"',
].join("\n");
