import { tool as langChainTool, type StructuredToolInterface } from "@langchain/core/tools";
import type { z } from "zod";
import { AgentError } from "../errors.js";

/** What a tool does, for the approval policy: look, change files, run programs, or change git state. */
export type ToolKind = "read" | "edit" | "execute" | "vcs";

/**
 * A tool's answer. `output` is the text for the model; `display` a shorter text for the screen.
 * `ok: false` is a failure the model can fix (wrong path, ambiguous match): it is a value, not
 * an exception. Only infrastructure failures throw.
 */
export interface ToolResult {
  ok: boolean;
  output: string;
  display?: string;
}

/** One tool of the agent–computer interface: a zod schema, a description written for a model, and a kind. */
export interface AgentTool<Schema extends z.ZodObject = z.ZodObject> {
  name: string;
  kind: ToolKind;
  description: string;
  schema: Schema;
  run(input: z.output<Schema>, signal?: AbortSignal): Promise<ToolResult>;
}

/** Defines a tool with its input type inferred from the schema. */
export function defineTool<Schema extends z.ZodObject>(tool: AgentTool<Schema>): AgentTool<Schema> {
  return tool;
}

/** A successful result. */
export function toolOk(output: string, display?: string): ToolResult {
  return display === undefined ? { ok: true, output } : { ok: true, output, display };
}

/** A failure the model can act on. */
export function toolFailure(output: string, display?: string): ToolResult {
  return display === undefined ? { ok: false, output } : { ok: false, output, display };
}

/**
 * Runs a tool with validated input. Schema violations and AgentErrors that a model can correct
 * (a path outside the workspace, a missing file) come back as failures; other errors throw.
 */
export async function runTool(tool: AgentTool, rawInput: unknown, signal?: AbortSignal): Promise<ToolResult> {
  const parsed = tool.schema.safeParse(rawInput);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`);
    return toolFailure(`Invalid arguments for ${tool.name}: ${problems.join("; ")}.`);
  }
  try {
    return await tool.run(parsed.data, signal);
  } catch (error) {
    if (error instanceof AgentError && MODEL_FIXABLE_CODES.has(error.code)) return toolFailure(error.message);
    throw error;
  }
}

/** Error codes that describe a mistake in the model's input rather than a broken sandbox. */
const MODEL_FIXABLE_CODES = new Set(["path-outside-workspace", "not-found", "bad-path", "file"]);

/** Wraps a tool as a LangChain tool for binding to chat models; the model sees `output`. */
export function toLangChainTool(tool: AgentTool): StructuredToolInterface {
  return langChainTool(async (input: unknown, config?: { signal?: AbortSignal }) => (await runTool(tool, input, config?.signal)).output, {
    name: tool.name,
    description: tool.description,
    schema: tool.schema,
  });
}
