import { configProperties } from "../../bench/support/fuzz/config-properties.js";
import { describeFuzzProperties } from "./describe-fuzz-properties.js";

describeFuzzProperties(configProperties);
