import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** What the bot spent on models on one UTC day, kept in a file so a restart does not reset it. */
export interface DailyBudget {
  /** True when today's spend has reached the cap (never, without a cap). */
  isSpent(): Promise<boolean>;
  /** Adds a job's cost to today's spend. */
  add(costUsd: number): Promise<void>;
  /** Today's spend so far. */
  spentToday(): Promise<number>;
}

interface Ledger {
  day: string;
  usd: number;
}

/**
 * A daily spending cap of the bot's model calls (`triage.maxDailyCostUsd`), per process: an
 * issue opened once the day's spend reached it is not triaged (the job ends with a log line,
 * and `/agent triage` works again the next UTC day), so a flood of issues cannot run up a bill.
 * The day's total is kept in `file` and written through a temporary file; the additions of one
 * process are serialised.
 */
export function openDailyBudget(file: string, capUsd: number | undefined, now: () => number = Date.now): DailyBudget {
  let chain: Promise<unknown> = Promise.resolve();
  const today = () => new Date(now()).toISOString().slice(0, 10);
  const read = async (): Promise<Ledger> => {
    const text = await readFile(file, "utf8").catch(() => undefined);
    try {
      const ledger = text ? (JSON.parse(text) as Ledger) : undefined;
      return ledger && ledger.day === today() && Number.isFinite(ledger.usd) ? ledger : { day: today(), usd: 0 };
    } catch {
      return { day: today(), usd: 0 };
    }
  };
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work, work);
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    spentToday: () => serialised(async () => (await read()).usd),
    isSpent: () => serialised(async () => capUsd !== undefined && (await read()).usd >= capUsd),
    add: (costUsd) =>
      serialised(async () => {
        if (!(costUsd > 0)) return;
        const ledger = await read();
        await mkdir(dirname(file), { recursive: true });
        const temporary = `${file}.${process.pid}.tmp`;
        await writeFile(temporary, JSON.stringify({ day: ledger.day, usd: ledger.usd + costUsd }));
        await rename(temporary, file);
      }),
  };
}
