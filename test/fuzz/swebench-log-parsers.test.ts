import { swebenchLogParserProperties } from "../../bench/support/fuzz/swebench-log-parser-properties.js";
import { describeFuzzProperties } from "./describe-fuzz-properties.js";

describeFuzzProperties(swebenchLogParserProperties);
