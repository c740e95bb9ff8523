import { testOutputProperties } from "../../bench/support/fuzz/test-output-properties.js";
import { describeFuzzProperties } from "./describe-fuzz-properties.js";

describeFuzzProperties(testOutputProperties);
