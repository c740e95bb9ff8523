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
  'declare -A parent_of spared',
  'if [ -r "$spared_file" ]; then',
  '  while read -r pid; do [ -n "$pid" ] && spared[$pid]=1; done < "$spared_file"',
  'fi',
  'if [ -d /proc/self ]; then',
  '  for stat in /proc/[0-9]*/stat; do',
  '    read -r line < "$stat" 2>/dev/null || continue',
  '    pid=${line%% *}',
  '    rest=${line##*) }',
  '    set -- $rest',
  '    parent_of[$pid]=$2',
  '  done',
  'else',
  '  while read -r pid ppid; do parent_of[$pid]=$ppid; done < <(ps -A -o pid= -o ppid=)',
  'fi',
  'victims=()',
  'frontier=("$shell_pid")',
  'while [ ${#frontier[@]} -gt 0 ]; do',
  '  next=()',
  '  for pid in "${!parent_of[@]}"; do',
  '    for ancestor in "${frontier[@]}"; do',
  '      if [ "${parent_of[$pid]}" = "$ancestor" ] && [ -z "${spared[$pid]:-}" ]; then',
  '        next+=("$pid")',
  '        victims+=("$pid")',
  '      fi',
  '    done',
  '  done',
  '  frontier=("${next[@]}")',
  'done',
  'kill -INT "$shell_pid" 2>/dev/null',
  'if [ ${#victims[@]} -gt 0 ]; then',
  '  kill -STOP "${victims[@]}" 2>/dev/null',
  '  kill -KILL "${victims[@]}" 2>/dev/null',
  'fi',
  'echo "${#victims[@]}"',
].join("\n");
