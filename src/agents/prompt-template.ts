import { readFileSync } from "node:fs";

/** A prompt kept as data: a markdown file beside the node that uses it, with `{{name}}` placeholders. */
export interface PromptTemplate {
  /** The file's text as written. */
  readonly text: string;
  /** The placeholders the template uses, each once, in order of appearance. */
  readonly placeholders: readonly string[];
  /** Fills every placeholder; a missing or an unknown value is a programming error. */
  render(values: Record<string, string>): string;
}

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/** Makes a template from text (a loaded file, or a test's literal). */
export function createPromptTemplate(text: string, name = "prompt"): PromptTemplate {
  const placeholders = [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1] as string))];
  return {
    text,
    placeholders,
    render(values) {
      const unknown = Object.keys(values).filter((key) => !placeholders.includes(key));
      if (unknown.length > 0) throw new Error(`The ${name} template has no placeholder for ${unknown.map((key) => `{{${key}}}`).join(", ")}`);
      return text.replace(PLACEHOLDER, (_match, key: string) => {
        const value = values[key];
        if (value === undefined) throw new Error(`The ${name} template needs a value for {{${key}}}`);
        return value;
      });
    },
  };
}

/**
 * Loads a prompt file that sits beside a module (`new URL(file, import.meta.url)`); the build
 * copies the `.md` files of src/ into dist/. The trailing newline of the file is dropped.
 */
export function loadPromptTemplate(moduleUrl: string, file: string): PromptTemplate {
  return createPromptTemplate(readFileSync(new URL(file, moduleUrl), "utf8").replace(/\n$/, ""), file);
}
