import { judgeTestRunsProperties } from "../../bench/support/fuzz/judge-test-runs-properties.js";
import { describeFuzzProperties } from "./describe-fuzz-properties.js";

describeFuzzProperties(judgeTestRunsProperties);
