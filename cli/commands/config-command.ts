import { Command } from "commander";
import { describeSource, globalOptions, loadCliConfig, loadCore, printJson, type CliContext } from "../cli-context.js";

/**
 * `agent config show`: the effective configuration, where each value came from, secrets masked,
 * and what the project file tried to set but may not.
 */
export function createConfigCommand(context: CliContext): Command {
  const config = new Command("config").description("Inspect the configuration.");
  config
    .command("show")
    .description("Print the effective configuration and where each value came from (secrets masked).")
    .action(async (_options: unknown, command: Command) => {
      const options = globalOptions(command);
      const { describeConfig, toMaskedJson } = await loadCore();
      const loaded = await loadCliConfig(context, options);
      const rows = describeConfig(loaded);
      if (options.json) {
        printJson(context.io, {
          config: toMaskedJson(loaded),
          sources: Object.fromEntries(rows.map((row) => [row.path, row.source])),
          files: loaded.files,
          ignoredProjectSettings: loaded.ignoredProjectSettings,
        });
        return;
      }
      const { files } = loaded;
      const out = context.io.stdout;
      out.write(`user file:    ${files.user}${files.userExists ? "" : " (not present)"}\n`);
      out.write(`project file: ${files.project ?? `(none in ${files.projectRoot})`}\n\n`);
      // Capped, so that one long value (project.instructions) does not pad every other row.
      const width = Math.min(80, Math.max(...rows.map((row) => row.path.length + row.value.length + 3)));
      for (const row of rows) {
        const setting = `${row.path} = ${row.value}`;
        out.write(`${setting.padEnd(width)}  # ${describeSource(row.source)}\n`);
      }
      if (loaded.ignoredProjectSettings.length > 0) {
        out.write("\nignored project settings (a project file may set only project.*):\n");
        for (const { file, key, why } of loaded.ignoredProjectSettings) out.write(`${file}: \`${key}\` is ignored: ${why}\n`);
      }
    });
  return config;
}
