export * from "./agent-event.js";
export * from "./redact-secrets.js";
export * from "./render-event.js";
export * from "./run-recorder.js";
export * from "./run-report.js";
