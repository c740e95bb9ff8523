import { patchProperties } from "../../bench/support/fuzz/patch-properties.js";
import { describeFuzzProperties } from "./describe-fuzz-properties.js";

describeFuzzProperties(patchProperties);
