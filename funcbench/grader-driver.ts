/**
 * The Python program that runs inside each grading container, as its root, and grades one
 * program at a time. Protocol: one JSON request per line on stdin
 * (`{"id", "program", "timeout"}`), one JSON answer per line on stdout
 * (`{"id", "status": "passed"|"failed"|"timeout", "exitCode", "error", "durationMs"}`).
 *
 * Each program runs in a fresh process (`python3 <file>`) as the unprivileged user, in a fresh
 * directory that is the only place it may write (the root file system is read-only, the
 * directory's parent is root's), its own session, no stdin, with its output in files of bounded
 * size (RLIMIT_FSIZE) opened before it starts, so it cannot swap them for links. After it ends
 * or times out, every process of that user is stopped and killed, in rounds until none is left
 * (a fork bomb forks while it is killed), and its directory is removed. The container has no
 * network. Root keeps SETUID, SETGID, KILL, CHOWN, DAC_OVERRIDE and FOWNER for this; a program
 * loses every capability when it becomes the user.
 */
export const GRADER_DRIVER = String.raw`
import json, os, resource, shutil, signal, subprocess, sys, time

UID = int(sys.argv[1])
GID = int(sys.argv[2])
WORK = sys.argv[3]
OUTPUT_LIMIT = 8 * 1024 * 1024
ERROR_TAIL = 2000

def stop_user_processes():
    for _ in range(50):
        pids = []
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    if os.stat("/proc/" + name).st_uid == UID:
                        pids.append(int(name))
                except OSError:
                    pass
        if not pids:
            return
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
        time.sleep(0.005)

def become_user():
    os.setsid()
    os.setgroups([])
    os.setgid(GID)
    os.setuid(UID)
    resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_LIMIT, OUTPUT_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

def tail(handle):
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(max(0, size - ERROR_TAIL))
    return handle.read().decode("utf-8", "replace")

def grade(request):
    directory = os.path.join(WORK, "job")
    shutil.rmtree(directory, ignore_errors=True)
    os.mkdir(directory, 0o700)
    os.chown(directory, UID, GID)
    path = os.path.join(directory, "program.py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(request["program"])
    os.chown(path, UID, GID)
    stdout = open(os.path.join(WORK, "stdout"), "w+b")
    stderr = open(os.path.join(WORK, "stderr"), "w+b")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": directory, "TMPDIR": directory, "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}
    started = time.monotonic()
    status, exit_code, process = "failed", None, None
    try:
        process = subprocess.Popen([sys.executable, path], cwd=directory, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, preexec_fn=become_user, close_fds=True)
        try:
            exit_code = process.wait(timeout=request["timeout"])
            status = "passed" if exit_code == 0 else "failed"
        except subprocess.TimeoutExpired:
            status = "timeout"
    finally:
        stop_user_processes()
        if process is not None:
            try:
                process.wait(timeout=5)
            except Exception:
                pass
    duration = int((time.monotonic() - started) * 1000)
    error = "" if status == "passed" else tail(stderr)
    if exit_code is not None and exit_code < 0:
        error = (error + "\nkilled by signal %d" % -exit_code).strip()
    stdout.close()
    stderr.close()
    shutil.rmtree(directory, ignore_errors=True)
    return {"id": request["id"], "status": status, "exitCode": exit_code, "error": error, "durationMs": duration}

for line in sys.stdin:
    if not line.strip():
        continue
    request = json.loads(line)
    try:
        answer = grade(request)
    except Exception as error:
        stop_user_processes()
        answer = {"id": request.get("id"), "status": "error", "exitCode": None, "error": "the grader failed: %r" % (error,), "durationMs": 0}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
`;
