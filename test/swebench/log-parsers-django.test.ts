import { describe, expect, it } from "vitest";
import { parseLogDjango } from "../../swebench/log-parsers/index.js";

/** `./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 auth_tests.test_validators` (Django 3.0). */
const DJANGO_LOG = `+ ./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 auth_tests.test_validators
Testing against Django installed in '/testbed/django'
Importing application auth_tests
Skipping setup of unused database(s): other.
Operations to perform:
  Synchronize unmigrated apps: auth, auth_tests, contenttypes, messages, sessions, staticfiles
  Apply all migrations: admin, sites
Synchronizing apps without migrations:
  Creating tables...
    Creating table django_content_type
    Running deferred SQL...
Running migrations:
  Applying admin.0001_initial... OK
  Applying sites.0001_initial... OK
  Applying sites.0002_alter_domain_unique... OK
System check identified no issues (0 silenced).
test_help_text (auth_tests.test_validators.MinimumLengthValidatorTest) ... ok
test_validate (auth_tests.test_validators.MinimumLengthValidatorTest) ... ok
test_validate_property (auth_tests.test_validators.UserAttributeSimilarityValidatorTest) ... skipped 'Database has feature(s) supports_json_field'
test_empty_password_validator_help_text_html (auth_tests.test_validators.PasswordValidationTest)
CommonPasswordValidator returns its help text as HTML ... ok
test_ascii_validator (auth_tests.test_validators.UsernameValidatorsTests) ... FAIL
test_unicode_validator (auth_tests.test_validators.UsernameValidatorsTests) ... ERROR

======================================================================
ERROR: test_unicode_validator (auth_tests.test_validators.UsernameValidatorsTests)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/testbed/tests/auth_tests/test_validators.py", line 250, in test_unicode_validator
    v = validators.UnicodeUsernameValidator(flags=re.ASCII)
TypeError: __init__() got an unexpected keyword argument 'flags'

======================================================================
FAIL: test_ascii_validator (auth_tests.test_validators.UsernameValidatorsTests)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/testbed/tests/auth_tests/test_validators.py", line 243, in test_ascii_validator
    v(invalid)
AssertionError: ValidationError not raised

----------------------------------------------------------------------
Ran 6 tests in 0.012s

FAILED (failures=1, errors=1, skipped=1)
`;

describe("parse_log_django", () => {
  it("reads ok, skipped, FAIL and ERROR lines, docstring names and the FAIL:/ERROR: headers", () => {
    expect(parseLogDjango(DJANGO_LOG)).toEqual({
      "test_help_text (auth_tests.test_validators.MinimumLengthValidatorTest)": "PASSED",
      "test_validate (auth_tests.test_validators.MinimumLengthValidatorTest)": "PASSED",
      "test_validate_property (auth_tests.test_validators.UserAttributeSimilarityValidatorTest)": "SKIPPED",
      "CommonPasswordValidator returns its help text as HTML": "PASSED",
      "test_ascii_validator (auth_tests.test_validators.UsernameValidatorsTests)": "FAILED",
      "test_unicode_validator (auth_tests.test_validators.UsernameValidatorsTests)": "ERROR",
      // "FAIL: name (module.Class)" and "ERROR: ..." record only the first word after the colon.
      test_ascii_validator: "FAILED",
      test_unicode_validator: "ERROR",
    });
  });

  it("accepts the three official pass suffixes", () => {
    const log = [
      "test_a (cache.tests.DummyCacheTests) ... ok",
      "test_b (cache.tests.DummyCacheTests) ... OK",
      "test_c (cache.tests.DummyCacheTests) ...  OK",
      "test_d (cache.tests.DummyCacheTests) ... okay",
    ].join("\n");
    expect(parseLogDjango(log)).toEqual({
      "test_a (cache.tests.DummyCacheTests)": "PASSED",
      "test_b (cache.tests.DummyCacheTests)": "PASSED",
      "test_c (cache.tests.DummyCacheTests)": "PASSED",
    });
  });

  it("reads Python 3.11 test descriptions (Django 5.x) like any other name", () => {
    const log = "test_json_response (view_tests.tests.test_json.JsonResponseTests.test_json_response) ... ok";
    expect(parseLogDjango(log)).toEqual({
      "test_json_response (view_tests.tests.test_json.JsonResponseTests.test_json_response)": "PASSED",
    });
  });

  it("gives an 'ok' printed on a later line to the test whose ' ... ' line came last", () => {
    const log = [
      "test_broken_pipe_errors (servers.test_basehttp.WSGIServerTestCase) ... Exception happened during processing of request from ('127.0.0.1', 53418)",
      "BrokenPipeError: [Errno 32] Broken pipe",
      "ok",
      "test_https (servers.test_basehttp.WSGIRequestHandlerTestCase) ... ok",
    ].join("\n");
    expect(parseLogDjango(log)).toEqual({
      "test_broken_pipe_errors (servers.test_basehttp.WSGIServerTestCase)": "PASSED",
      "test_https (servers.test_basehttp.WSGIRequestHandlerTestCase)": "PASSED",
    });
  });

  it("credits a late 'ok' to the previous test when the output started on a new line (as upstream)", () => {
    const log = [
      "test_first (logging_tests.tests.HandlerTest) ... ok",
      "test_second (logging_tests.tests.HandlerTest) ... ",
      "emitted on its own line",
      "ok",
    ].join("\n");
    expect(parseLogDjango(log)).toEqual({ "test_first (logging_tests.tests.HandlerTest)": "PASSED" });
  });

  it("records the multi-line '--version is equivalent to version' test as passed", () => {
    const log = [
      "test_help (admin_scripts.tests.CommandTypes) ... ok",
      "test_version (admin_scripts.tests.CommandTypes)",
      "--version is equivalent to version ... ",
      "3.0.dev20190807092314",
      "ok",
    ].join("\n");
    expect(parseLogDjango(log)).toEqual({
      "test_help (admin_scripts.tests.CommandTypes)": "PASSED",
      "--version is equivalent to version": "PASSED",
    });
  });

  it("separates django__django-7188's migration progress from the test name", () => {
    const log =
      "  Applying sites.0002_alter_domain_unique...test_no_migrations (migrations.test_loader.LoaderTests) ... ok";
    expect(parseLogDjango(log)).toEqual({ "test_no_migrations (migrations.test_loader.LoaderTests)": "PASSED" });
  });

  it("does not take migration progress lines ('Applying x... OK') for tests", () => {
    expect(parseLogDjango("  Applying admin.0001_initial... OK\n  Applying sites.0001_initial... OK")).toEqual({});
  });

  it("passes a test interrupted by 'Testing against Django installed in ... silenced).' then 'ok'", () => {
    const log = [
      "test_runner_output (test_runner.tests.CustomTestRunnerOptionsCmdlineTests) ... Testing against Django installed in '/testbed/django' with up to 1 processes",
      "Found 1 test(s).",
      "test_inner (test_runner.dummy.tests.DummyTest) ... expected output",
      "System check identified no issues (0 silenced).",
      "ok",
    ].join("\n");
    const statusMap = parseLogDjango(log);
    expect(statusMap["test_runner_output (test_runner.tests.CustomTestRunnerOptionsCmdlineTests)"]).toBe("PASSED");
    expect(statusMap["test_inner (test_runner.dummy.tests.DummyTest)"]).toBe("PASSED");
  });

  it("passes a test interrupted by 'Internal Server Error: /path/' then 'ok'", () => {
    const log = [
      "test_handle_500 (view_tests.tests.test_debug.DebugViewTests) ... Internal Server Error: /raises500/",
      "ok",
    ].join("\n");
    expect(parseLogDjango(log)).toEqual({ "test_handle_500 (view_tests.tests.test_debug.DebugViewTests)": "PASSED" });
  });

  it("keeps the raw text before ' ... ' in the multi-line patterns (leading spaces stay)", () => {
    const log = ["  test_check (check_framework.tests.CheckCommandTests) ... System check identified no issues (0 silenced)", "ok"].join(
      "\n",
    );
    expect(parseLogDjango(log)).toEqual({
      "test_check (check_framework.tests.CheckCommandTests)": "PASSED",
      "  test_check (check_framework.tests.CheckCommandTests)": "PASSED",
    });
  });

  it("matches the multi-line patterns only when 'ok' is alone on the next line", () => {
    const log = [
      "  test_a (x.tests.T) ... Internal Server Error: /a/",
      "ok but not alone",
      "  test_b (x.tests.T) ... System check identified no issues (0 silenced)\r",
      "ok",
    ].join("\n");
    expect(Object.keys(parseLogDjango(log)).filter((name) => name.startsWith("  "))).toEqual([]);
  });

  it("reads a 1 MB line of ' ... Internal Server Error: /' repeated in linear time (found by test/fuzz: the multi-line patterns backtracked for 30 s)", () => {
    const started = performance.now();
    expect(parseLogDjango(" ... Internal Server Error: /".repeat(40_000))).toEqual({});
    expect(parseLogDjango(" \n".repeat(500_000))).toEqual({});
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("finds a multi-line pattern's name on the line before a ' ... ' that starts its own line", () => {
    const log = ["test_x (a.B)", "... System check identified no issues (0 silenced)", "ok"].join("\n");
    expect(parseLogDjango(log)).toEqual({ "test_x (a.B)": "PASSED" });
  });

  it("skips a bare 'FAIL:' or 'ERROR:' line instead of failing", () => {
    expect(parseLogDjango("FAIL:\nERROR:\ntest_x (a.B) ... ok")).toEqual({ "test_x (a.B)": "PASSED" });
  });
});
