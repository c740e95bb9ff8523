import { toolCallProperties } from "../../bench/support/fuzz/tool-call-properties.js";
import { describeFuzzProperties } from "./describe-fuzz-properties.js";

describeFuzzProperties(toolCallProperties);
