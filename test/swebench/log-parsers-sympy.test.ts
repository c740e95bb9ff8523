import { describe, expect, it } from "vitest";
import { parseLogSympy } from "../../swebench/log-parsers/index.js";

/** `bin/test -C --verbose sympy/core/tests/test_basic.py sympy/core/tests/test_eval.py` (sympy 1.12). */
const SYMPY_LOG = `+ PYTHONWARNINGS=ignore::UserWarning,ignore::SyntaxWarning
+ bin/test -C --verbose sympy/core/tests/test_basic.py sympy/core/tests/test_eval.py
============================= test process starts ==============================
executable:         /opt/miniconda3/envs/testbed/bin/python  (3.9.19-final-0) [CPython]
architecture:       64-bit
cache:              no
ground types:       python 
numpy:              None
random seed:        51529337
hash randomization: on (PYTHONHASHSEED=2871187386)

sympy/core/tests/test_basic.py[7] 
test__aresame ok
test_structure ok
test_equality F
test_matches_basic E
test_has f
test_slow_integral Slow w
test_subs ok                                                                [FAIL]

sympy/core/tests/test_eval.py[3] 
test_add_eval ok
test_pow_eval_X1 f
test_function ok                                                            [OK]


________________________________________________________________________________
__________ sympy/core/tests/test_basic.py:test_matches_basic ___________________
Traceback (most recent call last):
  File "/testbed/sympy/core/tests/test_basic.py", line 60, in test_matches_basic
    assert Basic().matches(Basic()) == {}
  File "/testbed/sympy/core/basic.py", line 1741, in matches
    raise ValueError("no match")
ValueError: no match
________________________________________________________________________________
_____________ sympy/core/tests/test_basic.py:test_equality _____________________
Traceback (most recent call last):
  File "/testbed/sympy/core/tests/test_basic.py", line 40, in test_equality
    assert b21 == b2
AssertionError

= tests finished: 5 passed, 1 failed, 1 skipped, 2 expected to fail, 1 exceptions, in 0.41 seconds =
DO *NOT* COMMIT!
`;

describe("parse_log_sympy", () => {
  it("reads ok, F and E lines by bare name and failure banners by path and name", () => {
    expect(parseLogSympy(SYMPY_LOG)).toEqual({
      test__aresame: "PASSED",
      test_structure: "PASSED",
      test_equality: "FAILED",
      test_matches_basic: "ERROR",
      test_add_eval: "PASSED",
      "sympy/core/tests/test_basic.py:test_matches_basic": "FAILED",
      "sympy/core/tests/test_basic.py:test_equality": "FAILED",
    });
  });

  it("does not record expected failures, skips, or a file's last test that shares its line with [OK]/[FAIL]", () => {
    const statusMap = parseLogSympy(SYMPY_LOG);
    for (const name of ["test_has", "test_pow_eval_X1", "test_slow_integral", "test_subs", "test_function"]) {
      expect(statusMap[name], name).toBeUndefined();
    }
  });

  it("reads the '::' banner that sympy 1.13+ writes for failures", () => {
    const log = [
      "________________________________________________________________________________",
      "____________ sympy/physics/units/tests/test_quantities.py::test_prefixed_property ____________",
    ].join("\n");
    expect(parseLogSympy(log)).toEqual({ "sympy/physics/units/tests/test_quantities.py::test_prefixed_property": "FAILED" });
  });

  it("also matches a warning's 'path.py:line:' text, as the official banner pattern does", () => {
    const log = "  /testbed/sympy/core/basic.py:120: SymPyDeprecationWarning: the foo argument is deprecated";
    expect(parseLogSympy(log)).toEqual({
      " /testbed/sympy/core/basic.py:120: SymPyDeprecationWarning: the foo argument is": "FAILED",
    });
  });

  it("reads indented test lines and lets the last line about a test win", () => {
    const log = ["   test_Mod ok   ", "test_bug1 E", "test_bug1 ok"].join("\n");
    expect(parseLogSympy(log)).toEqual({ test_Mod: "PASSED", test_bug1: "PASSED" });
  });

  it("ignores lines that do not start with test_ and result letters glued to the name", () => {
    const log = ["doctest_x ok", "Test_upper ok", "test_glued_ok", "test_timeout T", "test_keyboard K"].join("\n");
    expect(parseLogSympy(log)).toEqual({});
  });

  it("reads a 64 KB line of spaces holding .py: in linear time (found by test/fuzz: the banner pattern backtracked for 12 s)", () => {
    const started = performance.now();
    expect(parseLogSympy(`x${" ".repeat(65_536)}E____ ... ok tests/test_a.py::test_x`)).toEqual({});
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("takes a banner's name from the line's first space to its last .py: that a space follows, as the official pattern does", () => {
    expect(parseLogSympy("__ a.py:b c.py:d e\nno space.py:after")).toEqual({ "a.py:b c.py:d": "FAILED" });
  });
});
