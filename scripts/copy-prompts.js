// Copies the prompt files (src/**/*.md, READMEs excepted) next to the compiled modules in dist/,
// where the nodes load them from (`new URL("system.md", import.meta.url)`). Run by `npm run build`.
import { cpSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Every prompt file under a directory, as paths relative to the project root. */
function promptFiles(directory) {
  return readdirSync(join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return promptFiles(path);
    return entry.name.endsWith(".md") && entry.name !== "README.md" ? [path] : [];
  });
}

const files = promptFiles("src");
for (const file of files) cpSync(join(root, file), join(root, "dist", file));
process.stdout.write(`copied ${files.length} prompt files to ${relative(process.cwd(), join(root, "dist")) || "."}\n`);
