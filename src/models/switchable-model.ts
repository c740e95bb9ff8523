import type { ModelCallRequest, ModelCallResult, ModelClient } from "./model-client.js";

/**
 * A model port whose model can change between calls (the person switches it with /model): each
 * call asks `choice()` which model to use; undefined keeps `base`. Other models are built on
 * first use with `build` and kept, so switching back and forth builds each once.
 */
export function createSwitchableModel(base: ModelClient, choice: () => string | undefined, build: (model: string) => Promise<ModelClient>): ModelClient {
  const built = new Map<string, Promise<ModelClient>>();
  const current = (): Promise<ModelClient> => {
    const chosen = choice();
    if (chosen === undefined || chosen === base.modelKey) return Promise.resolve(base);
    let client = built.get(chosen);
    if (!client) {
      client = build(chosen);
      // A model that cannot be built is tried again at the next call, not remembered as broken.
      client.catch(() => built.delete(chosen));
      built.set(chosen, client);
    }
    return client;
  };
  return {
    get modelKey() {
      return choice() ?? base.modelKey;
    },
    async call(request: ModelCallRequest): Promise<ModelCallResult> {
      return (await current()).call(request);
    },
  };
}
