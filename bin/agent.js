#!/usr/bin/env node
// Entry point of the `agent` command: loads the compiled CLI, or says how to build it.
// React's development build (the default without NODE_ENV) keeps a performance measure of every
// component it draws and is several times slower: the terminal screens use the production build.
process.env.NODE_ENV ??= "production";
try {
  await import("../dist/cli/main.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli/main.js")) {
    process.stderr.write("agent: the CLI is not built yet; run `npm run build` in the project directory first.\n");
    process.exit(2);
  }
  throw error;
}
