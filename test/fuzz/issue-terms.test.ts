import { issueTermsProperties } from "../../bench/support/fuzz/issue-terms-properties.js";
import { describeFuzzProperties } from "./describe-fuzz-properties.js";

describeFuzzProperties(issueTermsProperties);
