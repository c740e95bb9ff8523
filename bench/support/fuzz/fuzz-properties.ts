/** Every group of the fuzz suite, in the order test/fuzz and bench/fuzz run them. */
import { configProperties } from "./config-properties.js";
import type { FuzzPropertyGroup } from "./fuzz-property.js";
import { issueTermsProperties } from "./issue-terms-properties.js";
import { judgeTestRunsProperties } from "./judge-test-runs-properties.js";
import { patchProperties } from "./patch-properties.js";
import { shellCommandProperties } from "./shell-command-properties.js";
import { swebenchLogParserProperties } from "./swebench-log-parser-properties.js";
import { testOutputProperties } from "./test-output-properties.js";
import { toolCallProperties } from "./tool-call-properties.js";
import { workspaceGitProperties } from "./workspace-git-properties.js";

export const fuzzProperties: readonly FuzzPropertyGroup[] = [
  testOutputProperties,
  swebenchLogParserProperties,
  judgeTestRunsProperties,
  patchProperties,
  workspaceGitProperties,
  toolCallProperties,
  configProperties,
  shellCommandProperties,
  issueTermsProperties,
];
