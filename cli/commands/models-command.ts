import { Command } from "commander";
import type { AgentEvent } from "../../src/index.js";
import { describeSource, globalOptions, loadCliConfig, loadCore, printJson, type CliContext } from "../cli-context.js";

/** Prints retries as they happen, so a wait is never silent. */
function reportRetries(context: CliContext) {
  return (event: AgentEvent): void => {
    if (event.type === "model-retry") {
      context.io.stderr.write(`agent: retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)} s after ${event.reason}\n`);
    }
  };
}

/** `agent models list|check`: which providers are set up, and whether the configured model works. */
export function createModelsCommand(context: CliContext): Command {
  const models = new Command("models").description("List model providers and check the configured model.");

  models
    .command("list")
    .description("List the providers, how each is configured, and the built-in price table.")
    .action(async (_options: unknown, command: Command) => {
      const options = globalOptions(command);
      const { builtInPrices, builtInProviders, DEFAULT_OLLAMA_URL } = await loadCore();
      const loaded = await loadCliConfig(context, options);
      const names = [...new Set([...Object.keys(builtInProviders), ...Object.keys(loaded.config.providers)])];
      const providers = names.map((name) => {
        const settings = loaded.config.providers[name] ?? {};
        const builtIn = builtInProviders[name];
        return {
          name,
          kind: settings.kind ?? builtIn?.kind ?? "unknown",
          baseUrl: settings.baseUrl ?? (name === "ollama" ? DEFAULT_OLLAMA_URL : "(provider default)"),
          apiKey: (settings.kind ?? builtIn?.kind) === "ollama" ? "n/a" : settings.apiKey ? "set" : "not set",
          environment: [builtIn?.keyEnv ?? settings.apiKeyEnv, builtIn?.baseUrlEnv].filter(Boolean),
        };
      });
      const current = { model: loaded.config.model ?? null, from: describeSource(loaded.sources.get("model")) };
      if (options.json) {
        printJson(context.io, { current, providers, prices: { ...builtInPrices, ...loaded.config.prices } });
        return;
      }
      const out = context.io.stdout;
      out.write(`current model: ${current.model ?? "(none)"}${current.model ? ` (from ${current.from})` : ""}\n\nproviders:\n`);
      for (const provider of providers) {
        out.write(
          `  ${provider.name.padEnd(12)} ${provider.kind.padEnd(10)} key ${provider.apiKey.padEnd(8)} ${provider.baseUrl}` +
            `${provider.environment.length ? `  [${provider.environment.join(", ")}]` : ""}\n`,
        );
      }
      out.write("  scripted     (tests)    scripted:FILE replays a JSON script of turns\n");
      out.write("  replay       (tests)    replay:RUN_DIR replays the model turns of a saved run\n\nprices (USD per million tokens: input / cached input / output):\n");
      for (const [key, price] of Object.entries({ ...builtInPrices, ...loaded.config.prices })) {
        out.write(`  ${key.padEnd(34)} ${price.inputPerMTok} / ${price.cachedInputPerMTok ?? price.inputPerMTok} / ${price.outputPerMTok}\n`);
      }
    });

  models
    .command("check")
    .description("Send one short request with one tool to the configured model and report what happened.")
    .action(async (_options: unknown, command: Command) => {
      const options = globalOptions(command);
      const [{ checkModel, createEventEmitter, createModel, formatCost }, { ExitCode }] = await Promise.all([loadCore(), import("../exit-codes.js")]);
      const loaded = await loadCliConfig(context, options);
      const client = await createModel({
        config: loaded.config,
        modelOrigin: describeSource(loaded.sources.get("model")),
        userConfigPath: loaded.files.user,
        cwd: context.cwd,
        emit: createEventEmitter("models-check", reportRetries(context)),
      });
      const result = await checkModel(client, context.signal);
      if (options.json) printJson(context.io, result);
      else {
        const { usage } = result;
        context.io.stdout.write(
          [
            `model:        ${result.model}`,
            `reply:        ${result.durationMs} ms, ${result.attempts} attempt${result.attempts === 1 ? "" : "s"}`,
            `tool calling: ${result.toolCall ? `works (${result.toolCall.name} ${JSON.stringify(result.toolCall.args)})` : `NOT used; the model replied: ${JSON.stringify(result.text.slice(0, 200))}`}`,
            `tokens:       ${usage.inputTokens} in (${usage.cachedInputTokens} cached), ${usage.outputTokens} out`,
            `cost:         ${formatCost(result.cost)} (${result.cost.basis})`,
          ].join("\n") + "\n",
        );
      }
      if (!result.toolCallingWorks) context.setExitCode(ExitCode.notSolved);
    });
  return models;
}
