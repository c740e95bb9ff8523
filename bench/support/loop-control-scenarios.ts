/**
 * The two scripted programmer visits bench/loop-control drives through the product's loop: a
 * small Python package, and what the programmer does in it, as data. Scenario A is a realistic
 * edit-test session that loop control must leave alone; scenario B makes the same failing
 * edit three times, which loop control must redirect before the correct edit.
 */
import type { ScriptedTurn } from "../../src/models/scripted-chat-model.js";

/** One tool call of a scenario. */
export interface LoopScenarioStep {
  tool: string;
  args: Record<string, unknown>;
  /** True for a call whose failure is scripted (a test run on an edit that breaks a test). */
  isExpectedToFail?: boolean;
}

/** One scripted programmer visit: the repository, the issue, the tool calls and the hand-in. */
export interface LoopScenario {
  name: string;
  /** What the programmer does, in one line for the output. */
  description: string;
  files: Record<string, string>;
  task: { title: string; body: string };
  steps: LoopScenarioStep[];
  /** The summary submit_patch hands in. */
  finalSummary: string;
  /** Whether loop control must redirect the programmer (scenario B) or leave it alone (scenario A). */
  expectsRecovery: boolean;
  /** The 1-based index of the correct edit a recovery must come before; only for scenarios that expect one. */
  correctEditStep?: number;
}

const PRICING_PATH = "shop/pricing.py";

const pricingSource = `"""Prices of an order: subtotal, discount, tax and total."""


def subtotal(items):
    """The sum of quantity times unit price over (quantity, price) pairs."""
    return sum(quantity * price for quantity, price in items)


def discount(total, percent):
    """The total less a percentage."""
    return total - total * percent / 100


def tax(total, rate):
    """The tax on a total."""
    return total * rate


def order_total(items, percent=0, rate=0):
    """The subtotal, discounted, plus tax."""
    discounted = discount(subtotal(items), percent)
    return discounted + tax(discounted, rate)
`;

const pricingTest = `import unittest

from shop.pricing import discount, order_total, subtotal, tax


class PricingTest(unittest.TestCase):
    def test_subtotal(self):
        self.assertEqual(subtotal([(2, 3), (1, 4)]), 10)

    def test_discount(self):
        self.assertEqual(discount(200, 10), 180)

    def test_tax(self):
        self.assertEqual(tax(100, 0.2), 20)

    def test_order_total(self):
        self.assertEqual(order_total([(2, 50)], percent=10, rate=0.5), 135)

    def test_empty_order(self):
        self.assertEqual(order_total([]), 0)


if __name__ == "__main__":
    unittest.main()
`;

const roundingTest = `import unittest

from shop.pricing import discount


class RoundingTest(unittest.TestCase):
    def test_discount_is_rounded_to_cents(self):
        self.assertEqual(discount(19.99, 15), 16.99)

    def test_whole_amounts_stay_whole(self):
        self.assertEqual(discount(200, 10), 180)


if __name__ == "__main__":
    unittest.main()
`;

const packageFiles: Record<string, string> = {
  "shop/__init__.py": "",
  [PRICING_PATH]: pricingSource,
  "tests/__init__.py": "",
  "tests/test_pricing.py": pricingTest,
};

const edit = (oldText: string, newText: string): LoopScenarioStep => ({ tool: "edit_file", args: { command: "str_replace", path: PRICING_PATH, old_str: oldText, new_str: newText } });
const viewPricing: LoopScenarioStep = { tool: "view_file", args: { path: PRICING_PATH } };
const runPricingTests = (isExpectedToFail = false): LoopScenarioStep => ({
  tool: "run_shell",
  args: { command: "python3 -m unittest -v tests.test_pricing" },
  ...(isExpectedToFail ? { isExpectedToFail } : {}),
});

/**
 * Scenario A: ten rounds of view_file → edit_file → the tests, each edit different and in the
 * same file; the second and the sixth break tests, the next round mends them another way. A few
 * searches, git_diff and git_status between, then submit_patch.
 */
export function createRealisticScenario(): LoopScenario {
  const round = (change: LoopScenarioStep, isBreaking = false): LoopScenarioStep[] => [viewPricing, change, runPricingTests(isBreaking)];
  const steps: LoopScenarioStep[] = [
    { tool: "search", args: { pattern: "def (subtotal|discount|tax|order_total)" } },
    ...round(
      edit(
        '    """The total less a percentage."""\n    return total - total * percent / 100',
        '    """The total less a percentage between 0 and 100."""\n    if not 0 <= percent <= 100:\n        raise ValueError(f"discount of {percent}% is not between 0 and 100")\n    return total - total * percent / 100',
      ),
    ),
    ...round(edit("    return total * rate", "    return total * rate / 100"), true),
    ...round(edit('    """The tax on a total."""\n    return total * rate / 100', '    """The tax on a total, at a rate given as a fraction (0.2 for 20%)."""\n    return total * rate')),
    { tool: "search", args: { pattern: "ValueError", literal: true } },
    ...round(
      edit(
        "    return sum(quantity * price for quantity, price in items)",
        '    if any(quantity < 0 for quantity, _ in items):\n        raise ValueError("a quantity is negative")\n    return sum(quantity * price for quantity, price in items)',
      ),
    ),
    ...round(edit("    return discounted + tax(discounted, rate)", "    return round(discounted + tax(discounted, rate), 2)")),
    { tool: "search", args: { pattern: "order_total(", literal: true, glob: "tests/**" } },
    ...round(edit("    return sum(quantity * price for quantity, price in items)", "    total = 0\n    for quantity, price in items:\n        total += price\n    return total"), true),
    ...round(edit("        total += price", "        total += quantity * price")),
    { tool: "git_diff", args: {} },
    ...round(edit("    return total - total * percent / 100", "    if percent == 100:\n        return 0\n    return total - total * percent / 100")),
    ...round(
      edit(
        'def order_total(items, percent=0, rate=0):\n    """The subtotal, discounted, plus tax."""\n    discounted = discount(subtotal(items), percent)\n    return round(discounted + tax(discounted, rate), 2)',
        'def order_total(items, percent=0, rate=0, shipping=0):\n    """The subtotal, discounted, plus tax and shipping."""\n    discounted = discount(subtotal(items), percent)\n    return round(discounted + tax(discounted, rate) + shipping, 2)',
      ),
    ),
    ...round(
      edit(
        '    """The tax on a total, at a rate given as a fraction (0.2 for 20%)."""\n    return total * rate',
        '    """The tax on a total, at a rate given as a fraction (0.2 for 20%)."""\n    if rate < 0:\n        raise ValueError("a tax rate is negative")\n    return total * rate',
      ),
    ),
    { tool: "git_status", args: {} },
    { tool: "git_diff", args: {} },
  ];
  return {
    name: "A",
    description: "realistic: 10 rounds of view_file → edit_file → unittest (2 edits break a test), searches, git_diff, submit_patch",
    files: packageFiles,
    task: {
      title: "Validate the pricing helpers' inputs",
      body: "subtotal accepts negative quantities and discount accepts percentages over 100; both should raise ValueError. Totals should be rounded to cents, and order_total should take a shipping cost.",
    },
    steps,
    finalSummary: "The pricing helpers reject negative quantities, tax rates and discounts outside 0–100; order_total rounds to cents and takes a shipping cost.",
    expectsRecovery: false,
  };
}

/**
 * Scenario B: the same wrong fix (rounding the discount to whole units) made, tested and thrown
 * away with git_restore, three times in a row; loop control redirects the programmer at the
 * third edit, after which it throws that edit away, reads the file again, makes the correct
 * edit (rounding to cents), runs the tests and hands in.
 */
export function createRepetitionScenario(): LoopScenario {
  const discountLine = "    return total - total * percent / 100";
  const wrongAttempt: LoopScenarioStep[] = [
    edit(discountLine, "    return round(total - total * percent / 100)"),
    { tool: "run_shell", args: { command: "python3 -m unittest -v tests.test_rounding" }, isExpectedToFail: true },
    { tool: "git_restore", args: { path: PRICING_PATH } },
  ];
  const steps: LoopScenarioStep[] = [
    ...wrongAttempt,
    ...wrongAttempt,
    wrongAttempt[0] as LoopScenarioStep,
    { tool: "git_restore", args: { path: PRICING_PATH } },
    viewPricing,
    edit(discountLine, "    return round(total - total * percent / 100, 2)"),
    { tool: "run_shell", args: { command: "python3 -m unittest -v tests.test_rounding tests.test_pricing" } },
    { tool: "git_diff", args: {} },
  ];
  return {
    name: "B",
    description: "genuine repetition: the same failing edit → unittest → git_restore three times, then a different, correct edit and submit_patch",
    files: { ...packageFiles, "tests/test_rounding.py": roundingTest },
    task: { title: "discount() is not rounded to cents", body: "`discount(19.99, 15)` returns `16.9915`; it should return `16.99`." },
    steps,
    finalSummary: "discount rounds its result to cents.",
    expectsRecovery: true,
    correctEditStep: 10,
  };
}

/** The programmer's scripted turns: one tool call per turn, then submit_patch. */
export function scenarioTurns(scenario: LoopScenario): ScriptedTurn[] {
  const calls = [...scenario.steps.map((step) => ({ name: step.tool, args: step.args })), { name: "submit_patch", args: { summary: scenario.finalSummary } }];
  return calls.map((call) => ({ content: "", toolCalls: [call] }));
}
