export * from "./agent-event.js";
export * from "./redact-secrets.js";
