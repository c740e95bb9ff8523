/**
 * A bash script, run out of band (a second `docker exec`, or a second local process), that stops
 * what the persistent shell runs. Two modes:
 *
 * - `command`: stops the running command. Every process the command started is killed except
 *   the background jobs that existed when it began (the shell writes their process groups to
 *   /tmp/.agent-jobs.<shell pid> before each command; their processes share that group), then
 *   SIGINT makes the shell abandon the rest of the command script.
 * - `shell`: kills the shell and everything it started, background jobs included (the shell is
 *   being replaced; nothing can reach its jobs any more).
 *
 * What "started" means: when the shell leads its own session (every `docker exec` does, and so
 * does the detached local shell), every process of that session, so a fork bomb's orphans,
 * which init inherited, are found too (also when the shell itself has ended). Otherwise (a shell that does not lead its session) only
 * the shell's descendants, never the rest of a session that is not ours. A fork bomb forks
 * while it is scanned, so the scan stops and kills until a scan finds nothing (at most 8
 * rounds). The session waits for this script before it runs the next command, so it never
 * reaches that one.
 *
 * Uses /proc (minimal Debian images have no `ps`), falling back to `ps` and descendants only
 * where /proc is missing (macOS hosts). Prints how many processes it killed.
 * With `thaw` (an isolated sandbox only, never the host), every process of the user is continued
 * at the end (see the shell's reaping, which may have frozen them when it was killed).
 * Usage: bash -c "$KILL_TREE_SCRIPT" kill-tree SHELL_PID command|shell [thaw]
 */
export const KILL_TREE_SCRIPT = [
  'shell_pid=$1 mode=${2:-command} thaw=${3:-}',
  'declare -A spared=()',
  'if [ "$mode" = command ] && [ -r "/tmp/.agent-jobs.$shell_pid" ]; then',
  '  while read -r pid; do [ -n "$pid" ] && spared[$pid]=1; done < "/tmp/.agent-jobs.$shell_pid"',
  'fi',
  // SIGINT first: when the command's foreground process dies, the shell returns from the command
  // instead of running its next line. (The shell's own reaping may then run alongside; both only
  // kill what the command started.)
  '[ "$mode" = command ] && kill -INT "$shell_pid" 2>/dev/null',
  'total=0',
  'for round in 1 2 3 4 5 6 7 8; do',
  '  declare -A parent_of=() group_of=() session_of=() victim=()',
  '  if [ -d /proc/self ]; then',
  '    for stat in /proc/[0-9]*/stat; do',
  '      { read -r line < "$stat"; } 2>/dev/null || continue',
  '      pid=${line%% *}',
  '      rest=${line##*) }',
  '      set -- $rest',
  // A zombie is dead already (killed in an earlier round, not yet reaped by its parent).
  '      [ "$1" = Z ] && continue',
  '      parent_of[$pid]=$2 group_of[$pid]=$3 session_of[$pid]=$4',
  '    done',
  '  else',
  '    while read -r pid ppid pgid; do parent_of[$pid]=$ppid group_of[$pid]=$pgid; done < <(ps -A -o pid= -o ppid= -o pgid=)',
  '  fi',
  // A shell that has ended already (mode shell) leaves its session id on what it started.
  '  if [ "${session_of[$shell_pid]:-}" = "$shell_pid" ] || { [ "$mode" = shell ] && [ -z "${parent_of[$shell_pid]:-}" ]; }; then',
  '    for pid in "${!session_of[@]}"; do',
  '      [ "${session_of[$pid]}" = "$shell_pid" ] && victim[$pid]=1',
  '    done',
  '  else',
  '    frontier=("$shell_pid")',
  '    while [ ${#frontier[@]} -gt 0 ]; do',
  '      next=()',
  '      for pid in "${!parent_of[@]}"; do',
  '        for ancestor in "${frontier[@]}"; do',
  '          [ "${parent_of[$pid]}" = "$ancestor" ] && [ -z "${victim[$pid]:-}" ] && { victim[$pid]=1; next+=("$pid"); }',
  '        done',
  '      done',
  '      frontier=("${next[@]}")',
  '    done',
  '    [ "$mode" = shell ] && [ -n "${parent_of[$shell_pid]:-}" ] && victim[$shell_pid]=1',
  '  fi',
  '  if [ "$mode" = command ]; then',
  '    unset "victim[$shell_pid]"',
  '    for pid in "${!victim[@]}"; do',
  '      [ -n "${spared[${group_of[$pid]:-none}]:-}" ] && unset "victim[$pid]"',
  '    done',
  '  fi',
  '  [ ${#victim[@]} -eq 0 ] && break',
  '  kill -STOP "${!victim[@]}" 2>/dev/null',
  '  kill -KILL "${!victim[@]}" 2>/dev/null',
  '  total=$((total + ${#victim[@]}))',
  '  unset parent_of group_of session_of victim',
  'done',
  // A shell killed while its reaping had frozen every process of the user (isolated sandboxes only) leaves them stopped.
  '[ "$thaw" = thaw ] && kill -CONT -1 2>/dev/null',
  'echo "$total"',
].join("\n");
