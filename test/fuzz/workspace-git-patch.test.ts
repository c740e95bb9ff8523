import { workspaceGitProperties } from "../../bench/support/fuzz/workspace-git-properties.js";
import { describeFuzzProperties } from "./describe-fuzz-properties.js";

describeFuzzProperties(workspaceGitProperties);
