// Lint rules, including the layer boundaries of STYLE.md: src/** is headless.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

const uiModules = ["ink", "ink-*", "react", "react-*", "@inkjs/*"];
/** Any module of src/ but its public surface src/index.js. */
const deepCoreImports = ["**/src/**", "!**/src/index.js"];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "runs/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: "Use named exports (STYLE.md)." },
      ],
    },
  },
  {
    files: ["src/**/*.ts", "swebench/**/*.ts", "funcbench/**/*.ts"],
    rules: {
      "no-console": "error",
      "no-restricted-properties": [
        "error",
        { object: "process", property: "exit", message: "Throw an AgentError; cli/main.ts maps it to an exit code." },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: uiModules, message: "The core is headless: UI belongs in cli/ (STYLE.md)." },
            { group: ["**/cli/**", "../cli/*", "../../cli/*"], message: "src/ may not import cli/." },
            { group: ["**/swebench/**"], message: "src/ may not import swebench/." },
            { group: ["**/funcbench/**"], message: "src/ may not import funcbench/." },
          ],
        },
      ],
    },
  },
  {
    files: ["swebench/**/*.ts", "funcbench/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: uiModules, message: "The core is headless: UI belongs in cli/ (STYLE.md)." },
            { group: ["**/cli/**", "../cli/*", "../../cli/*"], message: "swebench/ and funcbench/ may not import cli/." },
            { group: deepCoreImports, message: "Import the core through its one public surface, src/index.js." },
          ],
        },
      ],
    },
  },
  {
    files: ["cli/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: deepCoreImports, message: "Import the core through its one public surface, src/index.js." }] }],
    },
  },
  {
    // vitest requires a default export from its global-setup module.
    files: ["test/global-setup.ts", "vitest.config.ts", "eslint.config.js"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    files: ["bin/**/*.js"],
    rules: { "no-restricted-properties": "off" },
  },
);
