import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseTestOutput } from "../../../src/agents/executor/parse-test-output.js";
import type { TestOutcome } from "../../../src/events/agent-event.js";

/** Outcomes as `test → status`, for compact expectations. */
function statuses(outcomes: TestOutcome[]): Record<string, TestOutcome["status"]> {
  return Object.fromEntries(outcomes.map((outcome) => [outcome.test, outcome.status]));
}

const pytestLog = `============================= test session starts ==============================
platform linux -- Python 3.9.19, pytest-7.4.0, pluggy-1.3.0
rootdir: /testbed
configfile: setup.cfg
collected 9 items / 1 error

tests/test_client.py .F.sxX                                              [ 66%]
tests/test_params.py ..E                                                 [100%]

==================================== ERRORS ====================================
______________________ ERROR collecting tests/test_broken.py ___________________
ImportError while importing test module '/testbed/tests/test_broken.py'.
E   ModuleNotFoundError: No module named 'missing'
_________________ ERROR at setup of test_needs_db[sqlite - memory] ______________
E       RuntimeError: no database
=================================== FAILURES ===================================
______________________________ test_post_redirect ______________________________
    def test_post_redirect():
>       assert response.status_code == 302
E       assert 200 == 302
tests/test_client.py:31: AssertionError
==================================== PASSES ====================================
=========================== short test summary info ============================
PASSED tests/test_client.py::test_get
PASSED tests/test_client.py::TestSession::test_cookie
PASSED tests/test_params.py::test_split[a b-1]
PASSED tests/test_params.py::test_split[x - y]
SKIPPED [1] tests/test_client.py:40: requires network
XFAIL tests/test_client.py::test_unicode_url - reason: idna
XPASS tests/test_client.py::test_flaky
FAILED tests/test_client.py::test_post_redirect - assert 200 == 302
FAILED tests/test_params.py::test_merge[[1, 2]-expected0] - AssertionError: lists differ - see diff
ERROR tests/test_params.py::test_needs_db[sqlite - memory] - RuntimeError: no database
ERROR tests/test_broken.py - ModuleNotFoundError: No module named 'missing'
============= 2 failed, 4 passed, 1 skipped, 1 xfailed, 1 xpassed, 2 errors in 0.41s ==============
`;

const djangoLog = `Testing against Django installed in '/testbed/django' with up to 1 processes
Importing application validation
Found 9 test(s).
Skipping setup of unused database(s): other.
Operations to perform:
  Synchronize unmigrated apps: auth, contenttypes, messages, sessions, staticfiles, validation
  Apply all migrations: admin, sites
Synchronizing apps without migrations:
  Creating tables...
    Creating table django_content_type
    Running deferred SQL...
Running migrations:
  Applying admin.0001_initial... OK
  Applying sites.0001_initial... OK
System check identified no issues (0 silenced).
test_custom_validator_passes (validation.tests.TestModelsWithValidators) ... ok
test_custom_validator_raises_error_for_incorrect_value (validation.tests.TestModelsWithValidators) ... FAIL
test_field_validators_can_be_any_iterable (validation.tests.TestModelsWithValidators)
Field validators can be any iterable, not only lists. ... ok
test_missing_required_field (validation.tests.BaseModelValidationTests) ... ERROR
test_skipped_on_sqlite (validation.tests.BaseModelValidationTests) ... skipped 'Database has feature(s) supports_json_field'
test_known_bug (validation.tests.BaseModelValidationTests) ... expected failure
test_lucky (validation.tests.BaseModelValidationTests) ... unexpected success
test_prints_warning (validation.tests.BaseModelValidationTests) ... Internal Server Error: /view/
ok
test_unique_for_date (validation.tests.PerformUniqueChecksTest)
Unique-for-date checks run after field validation. ... FAIL

======================================================================
ERROR: test_missing_required_field (validation.tests.BaseModelValidationTests)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/testbed/tests/validation/tests.py", line 20, in test_missing_required_field
    raise KeyError
KeyError

======================================================================
FAIL: test_custom_validator_raises_error_for_incorrect_value (validation.tests.TestModelsWithValidators)
----------------------------------------------------------------------
AssertionError: ValidationError not raised

======================================================================
FAIL: test_unique_for_date (validation.tests.PerformUniqueChecksTest)
Unique-for-date checks run after field validation.
----------------------------------------------------------------------
AssertionError: False is not true

----------------------------------------------------------------------
Ran 9 tests in 0.052s

FAILED (failures=2, errors=1, skipped=1, expected failures=1, unexpected successes=1)
`;

const sympyVerboseLog = `============================= test process starts ==============================
executable:         /opt/miniconda3/envs/testbed/bin/python  (3.9.20-final-0) [CPython]
architecture:       64-bit
cache:              no
ground types:       python
numpy:              None
random seed:        51216390
hash randomization: on (PYTHONHASHSEED=2847471926)

sympy/core/tests/test_basic.py[4] 
test__aresame ok
test_structure ok
test_immutable F
test_subs_dict ok                                                           [FAIL]

sympy/printing/tests/test_latex.py[5] 
test_printmethod ok
test_latex_basic E
test_latex_issue_4381 f
test_latex_slow Slow w
test_latex_numpy  - s                                                         [FAIL]

sympy/utilities/tests/test_broken.py[?]   Failed to import                 [FAIL]

________________________________________________________________________________
______________ sympy/printing/tests/test_latex.py:test_latex_basic _____________
Traceback (most recent call last):
  File "/testbed/sympy/printing/tests/test_latex.py", line 60, in test_latex_basic
    assert latex(1 + x) == "x + 1"
NameError: name 'x' is not defined
________________________________________________________________________________
_____________ sympy/core/tests/test_basic.py::test_immutable ___________________
AssertionError

== tests finished: 4 passed, 1 failed, 2 skipped, 1 expected to fail, 2 exceptions, in 0.35 seconds ==
DO *NOT* COMMIT!
`;

const goLog = `=== RUN   TestAdd
--- PASS: TestAdd (0.00s)
=== RUN   TestDivide
=== RUN   TestDivide/by_zero
    calc_test.go:21: expected an error
=== RUN   TestDivide/by_one
--- FAIL: TestDivide (0.00s)
    --- FAIL: TestDivide/by_zero (0.00s)
    --- PASS: TestDivide/by_one (0.00s)
=== RUN   TestSlow
    calc_test.go:30: skipping in short mode
--- SKIP: TestSlow (0.00s)
FAIL
FAIL	example.com/calc	0.004s
=== RUN   TestAdd
--- PASS: TestAdd (0.00s)
PASS
ok  	example.com/calc/store	0.002s
?   	example.com/calc/cmd	[no test files]
# example.com/calc/broken
broken/broken.go:5:2: undefined: missing
FAIL	example.com/calc/broken [build failed]
FAIL
`;

const cargoLog = `   Compiling calc v0.1.0 (/work/calc)
    Finished \`test\` profile [unoptimized + debuginfo] target(s) in 0.52s
     Running unittests src/lib.rs (target/debug/deps/calc-1c2b3a4d5e6f7a8b)

running 4 tests
test tests::adds ... ok
test tests::divides ... FAILED
test tests::slow ... ignored, takes an hour
test parser::tests::parses_empty ... ok

failures:

---- tests::divides stdout ----
thread 'tests::divides' panicked at src/lib.rs:20:9:
attempt to divide by zero

failures:
    tests::divides

test result: FAILED. 2 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s

   Doc-tests calc

running 1 test
test src/lib.rs - add (line 5) ... ok

test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.21s
`;

/** Real vitest 4 output with --reporter=verbose, colours on. */
const vitestLog = `
\u001b[1m\u001b[46m RUN \u001b[49m\u001b[22m \u001b[36mv4.1.12 \u001b[39m\u001b[90m/work/app\u001b[39m

 \u001b[32m✓\u001b[39m test/math.test.ts\u001b[2m > \u001b[22mmath\u001b[2m > \u001b[22madds\u001b[32m 2\u001b[2mms\u001b[22m\u001b[39m
 \u001b[31m×\u001b[39m test/math.test.ts\u001b[2m > \u001b[22mmath\u001b[2m > \u001b[22mfails > weirdly\u001b[32m 6\u001b[2mms\u001b[22m\u001b[39m
\u001b[31m   → expected 1 to be 2 // Object.is equality\u001b[39m
 \u001b[2m\u001b[90m↓\u001b[39m\u001b[22m test/math.test.ts\u001b[2m > \u001b[22mmath\u001b[2m > \u001b[22mskips
 \u001b[32m✓\u001b[39m test/math.test.ts\u001b[2m > \u001b[22mmath\u001b[2m > \u001b[22mnested\u001b[2m > \u001b[22mworks\u001b[32m 0\u001b[2mms\u001b[22m\u001b[39m
 \u001b[2m\u001b[90m□\u001b[39m\u001b[22m test/math.test.ts\u001b[2m > \u001b[22mmath\u001b[2m > \u001b[22mnested\u001b[2m > \u001b[22mlater
 \u001b[32m✓\u001b[39m test/math.test.ts\u001b[2m > \u001b[22mtop level\u001b[32m 0\u001b[2mms\u001b[22m\u001b[39m

⎯⎯⎯⎯⎯⎯ Failed Suites 1 ⎯⎯⎯⎯⎯⎯⎯

 FAIL  test/broken.test.ts [ test/broken.test.ts ]
Error: boom at import

⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯

 FAIL  test/math.test.ts > math > fails > weirdly
AssertionError: expected 1 to be 2 // Object.is equality

 Test Files  2 failed (2)
      Tests  1 failed | 3 passed | 1 skipped | 1 todo (6)
`;

const jestLog = `PASS src/sum.test.js
  sum
    ✓ adds 1 + 2 to equal 3 (2 ms)
    nested block
      ✓ works (1 ms)
  ✓ top-level test
FAIL src/cart.test.js
  cart
    ✕ applies the discount (4 ms)
    ○ skipped removes items
    ✎ todo empties the cart

  ● cart › applies the discount

    expect(received).toBe(expected) // Object.is equality

    Expected: 90
    Received: 100

      at Object.toBe (src/cart.test.js:8:27)

FAIL src/broken.test.js
  ● Test suite failed to run

    Cannot find module './missing' from 'src/broken.test.js'

Test Suites: 2 failed, 1 passed, 3 total
Tests:       1 failed, 1 skipped, 1 todo, 3 passed, 6 total
`;

describe("parseTestOutput", () => {
  describe("pytest", () => {
    it("reads the -rA short summary, keeping ids with spaces, brackets and dashes whole", () => {
      expect(statuses(parseTestOutput("pytest", pytestLog))).toEqual({
        "tests/test_client.py::test_get": "passed",
        "tests/test_client.py::TestSession::test_cookie": "passed",
        "tests/test_params.py::test_split[a b-1]": "passed",
        "tests/test_params.py::test_split[x - y]": "passed",
        "tests/test_client.py::test_unicode_url": "passed",
        "tests/test_client.py::test_flaky": "passed",
        "tests/test_client.py::test_post_redirect": "failed",
        "tests/test_params.py::test_merge[[1, 2]-expected0]": "failed",
        "tests/test_params.py::test_needs_db[sqlite - memory]": "error",
        "tests/test_broken.py": "error",
      });
    });

    it("ignores the SKIPPED [N] summary line, which names no test", () => {
      expect(parseTestOutput("pytest", "SKIPPED [3] tests/test_a.py:12: requires network\n")).toEqual([]);
    });

    it("ignores the SKIPPED [N] summary line even when its reason holds `::` (found by test/fuzz)", () => {
      expect(parseTestOutput("pytest", "SKIPPED [1] test_a.py:3: needs tests/test_b.py::test_c\n")).toEqual([]);
    });

    it("reads a verbose line whose parameters hold a status word and parentheses to the bracket that closes them (found by test/fuzz)", () => {
      expect(parseTestOutput("pytest", "test_a.py::test_a[ - PASSED (p)a] SKIPPED (requires network) [  0%]\n")).toEqual([
        { test: "test_a.py::test_a[ - PASSED (p)a]", status: "skipped" },
      ]);
    });

    it("reads a 1 MB line of `a::b` repeated in linear time (found by test/fuzz: the verbose-line regex backtracked quadratically, 5 s on 64 KB)", () => {
      const started = performance.now();
      expect(parseTestOutput("pytest", "a::b".repeat(256 * 1024))).toEqual([]);
      expect(performance.now() - started).toBeLessThan(2_000);
    });

    it("reads verbose lines that end with the status, with or without xdist's worker prefix", () => {
      const log = [
        "tests/test_a.py::test_one PASSED                                         [ 33%]",
        "tests/test_a.py::test_two[case 1] FAILED                                 [ 66%]",
        "tests/test_a.py::test_three SKIPPED (needs a GPU)                        [100%]",
        "[gw1] [ 50%] PASSED tests/test_b.py::test_parallel",
      ].join("\n");
      expect(parseTestOutput("pytest", log)).toEqual([
        { test: "tests/test_a.py::test_one", status: "passed" },
        { test: "tests/test_a.py::test_two[case 1]", status: "failed" },
        { test: "tests/test_a.py::test_three", status: "skipped" },
        { test: "tests/test_b.py::test_parallel", status: "passed" },
      ]);
    });

    it("lets the summary line overrule an earlier verbose line for the same test", () => {
      const log = "tests/test_a.py::test_x PASSED [100%]\nERROR tests/test_a.py::test_x - Exception: teardown failed\n";
      expect(parseTestOutput("pytest", log)).toEqual([{ test: "tests/test_a.py::test_x", status: "error" }]);
    });

    it("does not mistake a test's own log line for a result", () => {
      expect(parseTestOutput("pytest", "FAILED to connect to the database, retrying\n")).toEqual([]);
    });
  });

  describe("django", () => {
    it("reads the runner's verbose lines, docstring names, interleaved output and failure headers", () => {
      expect(statuses(parseTestOutput("django", djangoLog))).toEqual({
        "test_custom_validator_passes (validation.tests.TestModelsWithValidators)": "passed",
        "test_custom_validator_raises_error_for_incorrect_value (validation.tests.TestModelsWithValidators)": "failed",
        "test_field_validators_can_be_any_iterable (validation.tests.TestModelsWithValidators)": "passed",
        "test_missing_required_field (validation.tests.BaseModelValidationTests)": "error",
        "test_skipped_on_sqlite (validation.tests.BaseModelValidationTests)": "skipped",
        "test_known_bug (validation.tests.BaseModelValidationTests)": "passed",
        "test_lucky (validation.tests.BaseModelValidationTests)": "failed",
        "test_prints_warning (validation.tests.BaseModelValidationTests)": "passed",
        "test_unique_for_date (validation.tests.PerformUniqueChecksTest)": "failed",
      });
    });

    it("does not count migrations that report OK as tests", () => {
      expect(parseTestOutput("django", "  Applying admin.0001_initial... OK\n")).toEqual([]);
    });
  });

  describe("unittest", () => {
    it("reads Python 3.11's verbose ids and counts a failing subtest for its test", () => {
      const log = [
        "test_add (test_calc.CalcTest.test_add) ... ok",
        "test_sub (test_calc.CalcTest.test_sub) ... ",
        "  test_sub (test_calc.CalcTest.test_sub) (i=2) ... FAIL",
        "test_module (unittest.loader._FailedTest.test_module) ... ERROR",
        "",
        "======================================================================",
        "FAIL: test_sub (test_calc.CalcTest.test_sub) (i=2)",
        "----------------------------------------------------------------------",
      ].join("\n");
      expect(parseTestOutput("unittest", log)).toEqual([
        { test: "test_add (test_calc.CalcTest.test_add)", status: "passed" },
        { test: "test_sub (test_calc.CalcTest.test_sub)", status: "failed" },
        { test: "test_module (unittest.loader._FailedTest.test_module)", status: "error" },
      ]);
    });

    it("reads a status printed on its own line after the test's output", () => {
      expect(parseTestOutput("unittest", "test_noisy (tests.test_io.IoTest) ... writing 3 files\nok\n")).toEqual([
        { test: "test_noisy (tests.test_io.IoTest)", status: "passed" },
      ]);
    });
  });

  describe("sympy", () => {
    it("reads bin/test --verbose, qualifying each test by its file, including a file's last test before [OK] or [FAIL]", () => {
      expect(statuses(parseTestOutput("sympy", sympyVerboseLog))).toEqual({
        "sympy/core/tests/test_basic.py::test__aresame": "passed",
        "sympy/core/tests/test_basic.py::test_structure": "passed",
        "sympy/core/tests/test_basic.py::test_immutable": "failed",
        "sympy/core/tests/test_basic.py::test_subs_dict": "passed",
        "sympy/printing/tests/test_latex.py::test_printmethod": "passed",
        "sympy/printing/tests/test_latex.py::test_latex_basic": "error",
        "sympy/printing/tests/test_latex.py::test_latex_issue_4381": "passed",
        "sympy/printing/tests/test_latex.py::test_latex_slow": "skipped",
        "sympy/printing/tests/test_latex.py::test_latex_numpy": "skipped",
        "sympy/utilities/tests/test_broken.py": "error",
      });
    });

    it("reads the failure banners of a run without --verbose", () => {
      const log = [
        "sympy/core/tests/test_basic.py[22] ......F...............                  [FAIL]",
        "",
        "________________________________________________________________________________",
        "______________ sympy/core/tests/test_basic.py:test_immutable __________________",
        "AssertionError",
      ].join("\n");
      expect(parseTestOutput("sympy", log)).toEqual([{ test: "sympy/core/tests/test_basic.py::test_immutable", status: "failed" }]);
    });
  });

  describe("go", () => {
    it("reads go test -v results and subtests, qualified by their package, and a package that does not build", () => {
      expect(statuses(parseTestOutput("go", goLog))).toEqual({
        "example.com/calc::TestAdd": "passed",
        "example.com/calc::TestDivide": "failed",
        "example.com/calc::TestDivide/by_zero": "failed",
        "example.com/calc::TestDivide/by_one": "passed",
        "example.com/calc::TestSlow": "skipped",
        "example.com/calc/store::TestAdd": "passed",
        "example.com/calc/broken": "error",
      });
    });
  });

  describe("cargo", () => {
    it("reads unit and doc test results, ignored tests as skipped", () => {
      expect(statuses(parseTestOutput("cargo", cargoLog))).toEqual({
        "tests::adds": "passed",
        "tests::divides": "failed",
        "tests::slow": "skipped",
        "parser::tests::parses_empty": "passed",
        "src/lib.rs - add (line 5)": "passed",
      });
    });
  });

  describe("vitest", () => {
    it("reads the verbose reporter's coloured lines, todo and skipped tests, and a file that failed to load", () => {
      expect(statuses(parseTestOutput("vitest", vitestLog))).toEqual({
        "test/math.test.ts > math > adds": "passed",
        "test/math.test.ts > math > fails > weirdly": "failed",
        "test/math.test.ts > math > skips": "skipped",
        "test/math.test.ts > math > nested > works": "passed",
        "test/math.test.ts > math > nested > later": "skipped",
        "test/math.test.ts > top level": "passed",
        "test/broken.test.ts": "error",
      });
    });
  });

  describe("jest", () => {
    it("reads the verbose tree into file > describe > test ids and a suite that failed to run", () => {
      expect(statuses(parseTestOutput("jest", jestLog))).toEqual({
        "src/sum.test.js > sum > adds 1 + 2 to equal 3": "passed",
        "src/sum.test.js > sum > nested block > works": "passed",
        "src/sum.test.js > top-level test": "passed",
        "src/cart.test.js > cart > applies the discount": "failed",
        "src/cart.test.js > cart > removes items": "skipped",
        "src/cart.test.js > cart > empties the cart": "skipped",
        "src/broken.test.js": "error",
      });
    });
  });

  describe("node", () => {
    /** Real `node --test --test-reporter=tap test/` output of the same two files (a nested suite with skip and todo, and a file that fails to load). */
    const tapLog = (name: string) => readFileSync(new URL(`node-test-output/${name}`, import.meta.url), "utf8");
    const expected = (brokenFile: string) => ({
      [brokenFile]: "failed",
      "slugify > lower-cases words": "passed",
      "slugify > surrounding spaces > are stripped": "failed",
      "slugify > surrounding spaces > are kept inside": "skipped",
      "slugify > surrounding spaces > handles tabs": "skipped",
      "top level passes": "passed",
      "top level fails": "failed",
      "keeps # and \\ in names": "passed",
    });

    it("reads Node 18's TAP into innermost tests named from the outermost suite in", () => {
      expect(statuses(parseTestOutput("node", tapLog("node18-tap.txt")))).toEqual(expected("/workspace/test/broken.test.js"));
    });

    it("reads Node 20's TAP the same way", () => {
      expect(statuses(parseTestOutput("node", tapLog("node20-tap.txt")))).toEqual(expected("/tmp/tapcap/test/broken.test.js"));
    });

    it("does not count a suite whose tests are reported, only its tests", () => {
      const log = "# Subtest: outer\n    # Subtest: inner\n    ok 1 - inner\n    1..1\nok 1 - outer\n# Subtest: alone\nnot ok 2 - alone\n1..2\n";
      expect(statuses(parseTestOutput("node", log))).toEqual({ "outer > inner": "passed", alone: "failed" });
    });

    it("ignores result-like lines inside a test's YAML diagnostics", () => {
      const log = "not ok 1 - prints\n  ---\n  error: |-\n    ok 2 - not a test\n  ...\n1..1\n";
      expect(parseTestOutput("node", log)).toEqual([{ test: "prints", status: "failed" }]);
    });
  });

  describe("npm and make", () => {
    it("reads node:test's spec reporter behind npm test", () => {
      const log = "▶ math\n  ✔ adds (1.34036ms)\n  ✖ fails (2.647637ms)\n    AssertionError [ERR_ASSERTION]: 1 == 2\n  ﹣ skipped (0.238889ms) # SKIP\n✔ top (0.280392ms)\nℹ tests 4\n";
      expect(statuses(parseTestOutput("npm", log))).toEqual({ adds: "passed", fails: "failed", skipped: "skipped", top: "passed" });
    });

    it("reads TAP behind npm test", () => {
      const log = "TAP version 13\n# Subtest: adds\nok 1 - adds\nnot ok 2 - fails\nok 3 - later # TODO not written\n1..3\n";
      expect(statuses(parseTestOutput("npm", log))).toEqual({ adds: "passed", fails: "failed", later: "skipped" });
    });

    it("reads vitest's output behind npm test", () => {
      expect(parseTestOutput("npm", vitestLog)).toHaveLength(7);
    });

    it("uses whichever runner's format make test printed", () => {
      expect(statuses(parseTestOutput("make", "cd tests && pytest -rA\nPASSED tests/test_a.py::test_x\nFAILED tests/test_a.py::test_y - boom\n"))).toEqual({
        "tests/test_a.py::test_x": "passed",
        "tests/test_a.py::test_y": "failed",
      });
    });

    it("tries every runner for a framework name it does not know", () => {
      expect(parseTestOutput("nose", "test_x (tests.T) ... ok\n")).toEqual([{ test: "test_x (tests.T)", status: "passed" }]);
    });
  });

  it("finds nothing in output without test results", () => {
    expect(parseTestOutput("pytest", "bash: pytest: command not found\n")).toEqual([]);
  });
});
