/** A repository named by its owner and name. */
export interface RepositoryReference {
  owner: string;
  repo: string;
}

/**
 * An issue as GitHub's issue listings give it (pull requests left out): what duplicate
 * detection and triage read of the other issues of a repository.
 */
export interface IssueSummary {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  /** GitHub's `state_reason` of a closed issue: "completed", "not_planned", "duplicate", or null. */
  stateReason: string | null;
  labels: string[];
  /** The login of the issue's author. */
  author: string;
  /** ISO 8601 times, as GitHub gives them. */
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  htmlUrl: string;
}
