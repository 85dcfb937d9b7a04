import assert from "node:assert/strict";
import {
  compareVersions,
  type ContainsOptions,
  formatSpecifierSet,
  formatVersion,
  isPreRelease,
  parseSpecifierSet,
  parseVersion,
  specifierPrecision,
  specifierSetContains,
} from "../../lib/discovery/pep440.ts";

Deno.test("parseVersion() parses every segment", () => {
  assert.deepEqual(parseVersion("1!3.12.1rc2.post3.dev4+Ubuntu.7"), {
    epoch: 1,
    release: [3, 12, 1],
    pre: { kind: "rc", number: 2 },
    post: 3,
    dev: 4,
    local: ["ubuntu", 7],
  });
  assert.deepEqual(parseVersion("3.12"), { epoch: 0, release: [3, 12] });
});

Deno.test("parseVersion() normalises alternative spellings", () => {
  const cases: [string, string][] = [
    ["3.13.0", "3.13.0"],
    [" v3.13 ", "3.13"],
    ["3.13.0alpha1", "3.13.0a1"],
    ["3.13.0-a.1", "3.13.0a1"],
    ["3.13.0_beta_2", "3.13.0b2"],
    ["3.13.0c1", "3.13.0rc1"],
    ["3.13.0pre1", "3.13.0rc1"],
    ["3.13.0preview2", "3.13.0rc2"],
    ["3.13.0RC", "3.13.0rc0"],
    ["1.0-1", "1.0.post1"],
    ["1.0post", "1.0.post0"],
    ["1.0.rev2", "1.0.post2"],
    ["1.0r3", "1.0.post3"],
    ["1.0_dev", "1.0.dev0"],
    ["1.0-dev-5", "1.0.dev5"],
    ["1.0a1.post2.dev3", "1.0a1.post2.dev3"],
    ["1.0+abc-1_2", "1.0+abc.1.2"],
    ["2!1.0", "2!1.0"],
    ["0!1.0", "1.0"],
  ];
  for (const [input, normal] of cases) {
    assert.equal(formatVersion(parseVersion(input)), normal, input);
  }
});

Deno.test("parseVersion() reads a plain release as the full grammar does", () => {
  for (const plain of ["0", "26.2.1", "3.012", "1.2.3.4.5", "123456789012345", "1234567890123456.1"]) {
    // A leading "v" takes the full grammar's path.
    assert.deepEqual(parseVersion(plain), parseVersion(`v${plain}`), plain);
  }
  assert.deepEqual(parseVersion("26.2.1"), { epoch: 0, release: [26, 2, 1] });
});

Deno.test("parseVersion() throws SyntaxError on garbage", () => {
  for (
    const bad of ["", "abc", "3.x", "3..12", "3.12.", ".3", "3.12-", "3.12+", "3.12+a..b", "3 12", "1.0rc1rc2", "!1.0"]
  ) {
    assert.throws(() => parseVersion(bad), SyntaxError, bad);
  }
  assert.throws(() => parseVersion("99999999999999999999"), SyntaxError);
});

Deno.test("compareVersions() orders by PEP 440", () => {
  const ordered = [
    "1.0.dev0",
    "1.0a1.dev1",
    "1.0a1",
    "1.0a2",
    "1.0b1",
    "1.0rc1",
    "1.0",
    "1.0+local",
    "1.0+local.a",
    "1.0+local.1",
    "1.0.post1.dev1",
    "1.0.post1",
    "1.0.1",
    "1.1",
    "1!0.1",
  ];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = 0; j < ordered.length; j++) {
      const a = parseVersion(ordered[i] ?? ""), b = parseVersion(ordered[j] ?? "");
      assert.equal(compareVersions(a, b), Math.sign(i - j), `${ordered[i]} vs ${ordered[j]}`);
    }
  }
});

Deno.test("compareVersions() pads releases with zeros and numbers local parts above strings", () => {
  assert.equal(compareVersions(parseVersion("3.12"), parseVersion("3.12.0.0")), 0);
  assert.equal(compareVersions(parseVersion("3.12.0.1"), parseVersion("3.12")), 1);
  assert.equal(compareVersions(parseVersion("3.10"), parseVersion("3.9")), 1);
  assert.equal(compareVersions(parseVersion("1.0+2"), parseVersion("1.0+abc")), 1);
});

Deno.test("isPreRelease() counts pre and dev releases", () => {
  assert.equal(isPreRelease(parseVersion("3.13.0rc1")), true);
  assert.equal(isPreRelease(parseVersion("3.13.0.dev1")), true);
  assert.equal(isPreRelease(parseVersion("3.13.0.post1")), false);
  assert.equal(isPreRelease(parseVersion("3.13.0")), false);
});

Deno.test("parseSpecifierSet() parses clauses, tolerating whitespace", () => {
  const set = parseSpecifierSet(" >= 3.9 ,!=3.11.* ,  ~=3.9.0,<4,===foo,==3.12+local ");
  assert.deepEqual(
    set.specifiers.map((s) => [s.operator, s.text, s.wildcard]),
    [
      [">=", "3.9", false],
      ["!=", "3.11.*", true],
      ["~=", "3.9.0", false],
      ["<", "4", false],
      ["===", "foo", false],
      ["==", "3.12+local", false],
    ],
  );
  assert.equal(set.specifiers[4]?.version, undefined);
  assert.deepEqual(set.specifiers[1]?.version?.release, [3, 11]);
  assert.equal(formatSpecifierSet(set), ">=3.9,!=3.11.*,~=3.9.0,<4,===foo,==3.12+local");
});

Deno.test("parseSpecifierSet() throws SyntaxError on invalid input", () => {
  const bad = [
    "",
    ",",
    ">=3.11,",
    ">=3.11,,<4",
    "3.11",
    "=3.11",
    "=>3.11",
    ">=",
    ">=abc",
    ">= 3 .11",
    "~=3",
    "~=3.*",
    ">=3.*",
    "<3.12.*",
    "==3.12rc1.*",
    "==3.12.*.*",
    ">=3.12+local",
    "~=3.12+local",
    "== 3.12 +local",
  ];
  for (const text of bad) assert.throws(() => parseSpecifierSet(text), SyntaxError, text);
});

Deno.test("specifierPrecision() counts the release numbers a clause names", () => {
  const precision = (text: string) => specifierPrecision(parseSpecifierSet(text).specifiers[0]!);
  assert.equal(precision(">=3"), 1);
  assert.equal(precision(">=3.12"), 2);
  assert.equal(precision("==3.10.*"), 2);
  assert.equal(precision("~=3.9.0"), 3);
  assert.equal(precision(">=3.13rc1"), 2);
  assert.equal(precision("===3.12.1"), 3);
  assert.equal(precision("===foo"), Infinity);
});

/** [set, version, expected at clause precision, expected at full PEP 440 precision] */
const CONTAINS: [string, string, boolean, boolean][] = [
  // The precision rule: a clause compares only as many release numbers as it names.
  [">=3.12", "3.12.0rc1", true, false],
  [">=3.12", "3.12.0", true, true],
  [">=3.12", "3.11.9", false, false],
  [">=3.12.0", "3.12.0rc1", false, false],
  [">=3.12.0rc1", "3.12.0rc1", true, true],
  [">=3.13rc1", "3.13.0b2", false, false],
  [">=3.13rc1", "3.13.0rc2", true, true],
  [">=3.13rc1", "3.13.1", true, true],
  ["<3.12", "3.12.1", false, false],
  ["<3.12", "3.12.0rc1", false, false],
  ["<3.12", "3.11.9", true, true],
  ["<=3.12", "3.12.5", true, false],
  [">3.11", "3.11.5", false, true],
  [">3.11", "3.12.0", true, true],
  [">3.11.0", "3.11.0.post1", false, false],
  [">=3", "3.6.0", true, true],
  ["==3", "3.12.1", true, false],
  ["==3.12", "3.12.1", true, false],
  ["==3.12", "3.12.0", true, true],
  ["==3.12.1", "3.12.1", true, true],
  ["!=3.12.1", "3.12.1", false, false],
  ["<4", "3.14.0a1", true, true],
  // Wildcards compare a zero-padded release prefix.
  ["==3.10.*", "3.10.14", true, true],
  ["==3.10.*", "3.10.0rc1", true, true],
  ["==3.10.*", "3.1.0", false, false],
  ["==3.10.*", "3.11.0", false, false],
  ["==3.*", "3", true, true],
  ["!=3.11.*", "3.11.2", false, false],
  ["!=3.11.*", "3.12.0", true, true],
  [">=3.9,!=3.11.*", "3.10.1", true, true],
  [">=3.9,!=3.11.*", "3.11.0", false, false],
  [">=3.9,!=3.11.*", "3.8.18", false, false],
  // ~=V.N means >=V.N, ==V.*.
  ["~=3.9.0", "3.9.18", true, true],
  ["~=3.9.0", "3.10.0", false, false],
  ["~=3.9.0", "3.9.0rc1", false, false],
  ["~=3.9", "3.12.1", true, true],
  ["~=3.9", "3.8.1", false, false],
  ["~=3.9", "4.0.0", false, false],
  ["~=2.2.post3", "2.2.post3", true, true],
  ["~=2.2.post3", "2.3", true, true],
  // Local versions.
  ["==3.12", "3.12+local", true, true],
  ["==3.12+local", "3.12+local", true, true],
  ["==3.12+local", "3.12", false, false],
  ["==3.12+other", "3.12+local", false, false],
  ["!=3.12+other", "3.12+local", true, true],
  [">3.12.0", "3.12.0+local", false, false],
  // Epochs.
  [">=1!1.0", "3.12.0", false, false],
  // === compares strings.
  ["===3.12.1", "3.12.1", true, true],
  ["===3.12.1", "3.12.01", false, false],
  ["===3.12", "3.12.1", true, false],
];

Deno.test("specifierSetContains() evaluates each clause at its own precision by default", () => {
  for (const [set, version, atClause] of CONTAINS) {
    assert.equal(specifierSetContains(parseSpecifierSet(set), version), atClause, `${version} in ${set}`);
  }
});

Deno.test("specifierSetContains() follows PEP 440 with precision: full", () => {
  const full: ContainsOptions = { precision: "full" };
  for (const [set, version, , atFull] of CONTAINS) {
    assert.equal(specifierSetContains(parseSpecifierSet(set), version, full), atFull, `${version} in ${set}`);
  }
});

Deno.test("specifierSetContains() accepts parsed versions", () => {
  const set = parseSpecifierSet(">=3.12");
  assert.equal(specifierSetContains(set, parseVersion("3.12.0rc1")), true);
  assert.equal(specifierSetContains(parseSpecifierSet("===3.12.0rc1"), parseVersion("3.12.0-RC1")), true);
  assert.throws(() => specifierSetContains(set, "nonsense"), SyntaxError);
});

Deno.test("specifierSetContains() with prereleases: false admits pre-releases only when a clause names one", () => {
  const noPre: ContainsOptions = { prereleases: false, precision: "full" };
  assert.equal(specifierSetContains(parseSpecifierSet(">=3.12"), "3.13.0rc1", noPre), false);
  assert.equal(specifierSetContains(parseSpecifierSet(">=3.12"), "3.13.0", noPre), true);
  assert.equal(specifierSetContains(parseSpecifierSet(">=3.13.0b1"), "3.13.0rc1", noPre), true);
  assert.equal(specifierSetContains(parseSpecifierSet(">=3.12,!=3.13.0b1"), "3.13.0rc1", noPre), false);
  assert.equal(specifierSetContains(parseSpecifierSet(">=3.12"), "3.13.0rc1", { precision: "full" }), true);
});
