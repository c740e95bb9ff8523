import { UsageError } from "../errors.js";

/** A GitHub issue named by a URL or by the OWNER/REPO#N shorthand. */
export interface IssueReference {
  owner: string;
  repo: string;
  number: number;
}

const NAME = "[A-Za-z0-9_.-]+";
const SHORTHAND = new RegExp(`^(${NAME})/(${NAME})#(\\d+)$`);
const URL_PATH = new RegExp(`^/(${NAME})/(${NAME})/(issues|pull|pulls|discussions)/(\\d+)/?$`);

/** True when the text looks like a GitHub issue reference rather than a file name. */
export function looksLikeIssueReference(text: string): boolean {
  return /^https?:\/\//.test(text) || SHORTHAND.test(text);
}

/**
 * Parses `https://<host>/OWNER/REPO/issues/N` (github.com or a GitHub Enterprise host) or
 * `OWNER/REPO#N`. Pull requests and discussions are refused with a message that says so.
 */
export function parseIssueReference(text: string): IssueReference {
  const input = text.trim();
  const shorthand = SHORTHAND.exec(input);
  if (shorthand) return { owner: shorthand[1]!, repo: shorthand[2]!, number: Number(shorthand[3]) };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError(`"${text}" is not an issue reference; use https://github.com/OWNER/REPO/issues/N or OWNER/REPO#N.`);
  }
  const match = URL_PATH.exec(url.pathname);
  if (!match || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new UsageError(`${text} is not a GitHub issue URL; expected https://github.com/OWNER/REPO/issues/N.`);
  }
  const kind = match[3]!;
  if (kind === "pull" || kind === "pulls") throw new UsageError(`${text} is a pull request, not an issue; give the issue it fixes.`);
  if (kind === "discussions") throw new UsageError(`${text} is a discussion, not an issue; open an issue for it, or pass its text with --task.`);
  return { owner: match[1]!, repo: match[2]!, number: Number(match[4]) };
}

/** `OWNER/REPO#N`, for messages and branch names. */
export function formatIssueReference(reference: IssueReference): string {
  return `${reference.owner}/${reference.repo}#${reference.number}`;
}
