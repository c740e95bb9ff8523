import { shellCommandProperties } from "../../bench/support/fuzz/shell-command-properties.js";
import { describeFuzzProperties } from "./describe-fuzz-properties.js";

describeFuzzProperties(shellCommandProperties);
