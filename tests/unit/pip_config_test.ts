/**
 * pip's configuration as mkvenv reads it: real files in temporary home folders, variables passed through an explicit
 * lookup (this machine's own pip.conf and PIP_* variables must never leak in), expectations checked against what pip
 * 23.2 itself resolves for the same files.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { MkvenvError } from "../../lib/errors.ts";
import { platformFor } from "../../lib/platform.ts";
import {
  DEFAULT_INDEX_URL,
  parseIni,
  pipConfigFiles,
  type PipIndexConfig,
  resolvePipIndexes,
} from "../../lib/seeder/pip_config.ts";
import { skipIf, tempDir } from "../_helpers.ts";

const LINUX = platformFor("linux");
const IS_WINDOWS = Deno.build.os === "windows";

/** An environment lookup over exactly these variables. */
function envOf(vars: Record<string, string>): (name: string) => string | undefined {
  return (name) => Object.hasOwn(vars, name) ? vars[name] : undefined;
}

/**
 * Whether /etc/pip.conf (always read, like pip) leaves the settings under test alone. This machine's only sets `cert`;
 * a machine whose global file sets an index would make the expectations below wrong, so they are skipped there.
 */
const ETC = resolvePipIndexes(envOf({ XDG_CONFIG_DIRS: "/nonexistent-mkvenv-test" }), LINUX);
const ETC_IS_NEUTRAL = IS_WINDOWS || ETC.sources.length === 0;
/** The `cert` /etc/pip.conf sets (this machine's: the system's CA bundle), which every resolution below inherits. */
const ETC_CERT = ETC.cert;
const SKIP = skipIf(IS_WINDOWS, "the file tests use POSIX paths") ||
  skipIf(!ETC_IS_NEUTRAL, "/etc/pip.conf sets index options, which every pip run reads");

/** A temporary home with an empty XDG_CONFIG_DIRS folder, and a writer for files inside it. */
async function sandbox() {
  const tmp = await tempDir("mkvenv_pipconf_");
  const home = path.join(tmp.path, "home");
  const xdgDirs = path.join(tmp.path, "xdg");
  await Deno.mkdir(home);
  await Deno.mkdir(xdgDirs);
  const write = async (file: string, text: string) => {
    await Deno.mkdir(path.dirname(file), { recursive: true });
    await Deno.writeTextFile(file, text);
    return file;
  };
  const resolve = (vars: Record<string, string> = {}): PipIndexConfig =>
    resolvePipIndexes(envOf({ HOME: home, XDG_CONFIG_DIRS: xdgDirs, ...vars }), LINUX);
  return { tmp, home, xdgDirs, write, resolve, [Symbol.asyncDispose]: () => tmp[Symbol.asyncDispose]() };
}

Deno.test({
  name: "resolvePipIndexes() gives pip's defaults when nothing is configured",
  ignore: SKIP,
  async fn() {
    await using s = await sandbox();
    assert.deepEqual(s.resolve(), {
      indexUrl: DEFAULT_INDEX_URL,
      extraIndexUrls: [],
      findLinks: [],
      timeoutSeconds: undefined,
      noIndex: false,
      trustedHosts: [],
      cert: ETC_CERT,
      sources: [],
    });
  },
});

Deno.test({
  name: "resolvePipIndexes() loads files in pip's order, later files overriding earlier ones key by key",
  ignore: SKIP,
  async fn() {
    await using s = await sandbox();
    const global = await s.write(
      path.join(s.xdgDirs, "pip", "pip.conf"),
      "[global]\nindex-url = https://global.example/simple\ntimeout = 1\nfind-links = /global/wheels\n",
    );
    const legacy = await s.write(
      path.join(s.home, ".pip", "pip.conf"),
      "[global]\nindex-url = https://legacy.example/simple\ntimeout = 2\n",
    );
    const user = await s.write(
      path.join(s.home, ".config", "pip", "pip.conf"),
      "[global]\nindex-url = https://user.example/simple\n",
    );
    assert.deepEqual(s.resolve(), {
      indexUrl: "https://user.example/simple",
      extraIndexUrls: [],
      findLinks: ["/global/wheels"],
      timeoutSeconds: 2,
      noIndex: false,
      trustedHosts: [],
      cert: ETC_CERT,
      sources: [global, legacy, user],
    });
  },
});

Deno.test({
  name: "resolvePipIndexes() lets an empty value in a later file unset an earlier file's, as pip does",
  ignore: SKIP,
  async fn() {
    await using s = await sandbox();
    await s.write(
      path.join(s.home, ".pip", "pip.conf"),
      "[global]\nindex-url = https://legacy.example/simple\nfind-links = /global/wheels\n" +
        "[download]\nfind-links = /download/wheels\n",
    );
    await s.write(path.join(s.home, ".config", "pip", "pip.conf"), "[global]\nindex-url =\n[download]\nfind-links =\n");
    const config = s.resolve();
    // pip 23.2.1 `download` resolves the same files to https://pypi.org/simple and /global/wheels.
    assert.equal(config.indexUrl, DEFAULT_INDEX_URL);
    assert.deepEqual(config.findLinks, ["/global/wheels"]);
    // An empty variable is no setting at all: the files' values stand.
    assert.deepEqual(s.resolve({ PIP_FIND_LINKS: "" }).findLinks, ["/global/wheels"]);
  },
});

Deno.test({
  name: "resolvePipIndexes() ranks [download] of any file above [global] of any file, and ignores [install]",
  ignore: SKIP,
  async fn() {
    await using s = await sandbox();
    // pip merges each section across files first, then lets the command's section beat [global].
    const global = await s.write(
      path.join(s.xdgDirs, "pip", "pip.conf"),
      "[download]\nDefault-Timeout: 3\n[install]\nindex-url = https://install.example/simple\n",
    );
    const user = await s.write(
      path.join(s.home, ".config", "pip", "pip.conf"),
      "[global]\ntimeout = 7\nindex-url = https://user.example/simple\n[download]\nfind_links = /dl/wheels\n",
    );
    const config = s.resolve();
    assert.equal(config.timeoutSeconds, 3);
    assert.equal(config.indexUrl, "https://user.example/simple");
    assert.deepEqual(config.findLinks, ["/dl/wheels"]);
    assert.deepEqual(config.sources, [global, user]);
  },
});

Deno.test({
  name: "resolvePipIndexes() reads continuation lines, comments, both delimiters and pip's key spellings",
  ignore: SKIP,
  async fn() {
    await using s = await sandbox();
    await s.write(
      path.join(s.home, ".config", "pip", "pip.conf"),
      [
        "# pip configuration",
        "; another comment",
        "[global]",
        "INDEX_URL: https://user.example/simple",
        "extra-index-url =",
        "    https://a.example/simple",
        "    # a comment does not end the value",
        "    https://b.example/simple   https://c.example/simple",
        "",
        "    https://d.example/simple",
        "--no-index = off",
        "find-links = /one /two",
        "\t/three",
        "timeout =",
        "",
      ].join("\n"),
    );
    const config = s.resolve();
    assert.equal(config.indexUrl, "https://user.example/simple");
    assert.deepEqual(config.extraIndexUrls, [
      "https://a.example/simple",
      "https://b.example/simple",
      "https://c.example/simple",
      "https://d.example/simple",
    ]);
    assert.deepEqual(config.findLinks, ["/one", "/two", "/three"]);
    assert.equal(config.noIndex, false);
    // An empty value is ignored, as pip ignores it.
    assert.equal(config.timeoutSeconds, undefined);
  },
});

Deno.test({
  name: "resolvePipIndexes() lets PIP_* variables override every file, and ignores empty ones",
  ignore: SKIP,
  async fn() {
    await using s = await sandbox();
    const user = await s.write(
      path.join(s.home, ".config", "pip", "pip.conf"),
      "[global]\nindex-url = https://user.example/simple\nextra-index-url = https://x.example/simple\n" +
        "find-links = /file/wheels\n[download]\ntimeout = 4\n",
    );
    const config = s.resolve({
      PIP_INDEX_URL: "",
      PIP_EXTRA_INDEX_URL: "https://e1.example/simple\n  https://e2.example/simple",
      PIP_FIND_LINKS: "/env/wheels",
      PIP_NO_INDEX: "yes",
      PIP_DEFAULT_TIMEOUT: "9",
      PIP_TIMEOUT: "2.5",
    });
    assert.deepEqual(config, {
      indexUrl: "https://user.example/simple",
      // A list from a variable replaces the file's list, it does not extend it.
      extraIndexUrls: ["https://e1.example/simple", "https://e2.example/simple"],
      findLinks: ["/env/wheels"],
      timeoutSeconds: 2.5,
      noIndex: true,
      trustedHosts: [],
      cert: ETC_CERT,
      sources: [user, "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX", "PIP_TIMEOUT"],
    });
    assert.equal(s.resolve({ PIP_DEFAULT_TIMEOUT: "9" }).timeoutSeconds, 9);
    assert.equal(s.resolve({ PIP_CERT: "~/ca.pem" }).cert, path.join(s.home, "ca.pem"));
    assert.deepEqual(s.resolve({ PIP_TRUSTED_HOST: "a.example b.example:8080" }).trustedHosts, [
      "a.example",
      "b.example:8080",
    ]);
    assert.equal(s.resolve({ PIP_NO_INDEX: "0" }).noIndex, false);
  },
});

Deno.test({
  name: "resolvePipIndexes() reads no file when PIP_CONFIG_FILE is /dev/null, but still the variables",
  ignore: SKIP,
  async fn() {
    await using s = await sandbox();
    await s.write(
      path.join(s.home, ".config", "pip", "pip.conf"),
      "[global]\nindex-url = https://user.example/simple\n",
    );
    await s.write(path.join(s.xdgDirs, "pip", "pip.conf"), "[global]\nfind-links = /global\n");
    assert.deepEqual(s.resolve({ PIP_CONFIG_FILE: "/dev/null" }), {
      indexUrl: DEFAULT_INDEX_URL,
      extraIndexUrls: [],
      findLinks: [],
      timeoutSeconds: undefined,
      noIndex: false,
      trustedHosts: [],
      cert: undefined, // not even /etc/pip.conf's
      sources: [],
    });
    const withVar = s.resolve({ PIP_CONFIG_FILE: "/dev/null", PIP_INDEX_URL: "https://env.example/simple" });
    assert.equal(withVar.indexUrl, "https://env.example/simple");
    assert.deepEqual(withVar.sources, ["PIP_INDEX_URL"]);
  },
});

Deno.test({
  name: "resolvePipIndexes() loads PIP_CONFIG_FILE last and then skips the user files, as pip does",
  ignore: SKIP,
  async fn() {
    await using s = await sandbox();
    await s.write(
      path.join(s.home, ".config", "pip", "pip.conf"),
      "[global]\nindex-url = https://user.example/simple\n",
    );
    const global = await s.write(
      path.join(s.xdgDirs, "pip", "pip.conf"),
      "[global]\nindex-url = https://global.example/simple\nfind-links = /global\n",
    );
    const named = await s.write(
      path.join(s.tmp.path, "custom.conf"),
      "[global]\nextra-index-url = https://custom.example/simple\n",
    );
    const config = s.resolve({ PIP_CONFIG_FILE: named });
    assert.equal(config.indexUrl, "https://global.example/simple");
    assert.deepEqual(config.extraIndexUrls, ["https://custom.example/simple"]);
    assert.deepEqual(config.findLinks, ["/global"]);
    assert.deepEqual(config.sources, [global, named]);
    // A PIP_CONFIG_FILE that does not exist leaves the user files in.
    const missing = s.resolve({ PIP_CONFIG_FILE: path.join(s.tmp.path, "missing.conf") });
    assert.equal(missing.indexUrl, "https://user.example/simple");
  },
});

Deno.test({
  name: "resolvePipIndexes() prefers $XDG_CONFIG_HOME/pip/pip.conf to ~/.config/pip/pip.conf",
  ignore: SKIP,
  async fn() {
    await using s = await sandbox();
    await s.write(path.join(s.home, ".config", "pip", "pip.conf"), "[global]\nindex-url = https://dot-config/simple\n");
    const xdgHome = path.join(s.tmp.path, "xdg-home");
    const file = await s.write(path.join(xdgHome, "pip", "pip.conf"), "[global]\nindex-url = https://xdg/simple\n");
    const config = s.resolve({ XDG_CONFIG_HOME: xdgHome });
    assert.equal(config.indexUrl, "https://xdg/simple");
    assert.deepEqual(config.sources, [file]);
  },
});

Deno.test({
  name: "resolvePipIndexes() expands ~ in find-links and applies [DEFAULT] to every section",
  ignore: SKIP,
  async fn() {
    await using s = await sandbox();
    await s.write(
      path.join(s.home, ".config", "pip", "pip.conf"),
      "[DEFAULT]\nno-index = true\n[global]\nfind-links = ~/wheels ~other/wheels /abs\n",
    );
    const config = s.resolve();
    assert.deepEqual(config.findLinks, [path.join(s.home, "wheels"), "~other/wheels", "/abs"]);
    assert.equal(config.noIndex, true);
  },
});

Deno.test({
  name: "resolvePipIndexes() skips folders and unreadable paths where files are expected",
  ignore: SKIP,
  async fn() {
    await using s = await sandbox();
    await Deno.mkdir(path.join(s.home, ".config", "pip", "pip.conf"), { recursive: true });
    assert.equal(s.resolve().indexUrl, DEFAULT_INDEX_URL);
  },
});

Deno.test({
  name: "resolvePipIndexes() refuses files and values pip refuses, naming the file",
  ignore: SKIP,
  async fn() {
    await using s = await sandbox();
    const file = path.join(s.home, ".config", "pip", "pip.conf");
    const refuses = async (text: string, pattern: RegExp, vars: Record<string, string> = {}) => {
      await s.write(file, text);
      assert.throws(() => s.resolve(vars), (e: unknown) => e instanceof MkvenvError && pattern.test(e.message));
    };
    await refuses("index-url = https://x\n", /pip\.conf, line 1: a setting before the first \[section\]/);
    await refuses("[global]\nindex-url\n", /line 2: expected "key = value"/);
    await refuses("[global]\ntimeout = 1\nTimeout = 2\n", /line 3: "timeout" is set twice/);
    await refuses("[global]\n[global]\n", /line 2: section \[global\] appears twice/);
    await refuses("[global]\nno-index = maybe\n", /Invalid no-index value "maybe" in .*pip\.conf/);
    await refuses("[global]\n", /Invalid timeout value "soon" in PIP_TIMEOUT/, { PIP_TIMEOUT: "soon" });
  },
});

Deno.test("parseIni() follows configparser: first delimiter, kept '#', case-sensitive sections", () => {
  const ini = parseIni(
    "[global]\nindex-url = https://h/simple#frag ; not a comment\nkey: a=b\n" +
      "[Global]\n  x = 1\n[install] trailing\ny=2\n",
    "t.conf",
  );
  assert.deepEqual([...ini.keys()], ["global", "Global", "install"]);
  assert.equal(ini.get("global")?.get("index-url"), "https://h/simple#frag ; not a comment");
  assert.equal(ini.get("global")?.get("key"), "a=b");
  assert.equal(ini.get("Global")?.get("x"), "1");
  assert.equal(ini.get("install")?.get("y"), "2");
});

Deno.test("pipConfigFiles() lists pip's locations per OS", async () => {
  assert.deepEqual(pipConfigFiles(envOf({ XDG_CONFIG_DIRS: "/a:/b" }), LINUX, "/home/me"), [
    { kind: "global", path: "/a/pip/pip.conf" },
    { kind: "global", path: "/b/pip/pip.conf" },
    { kind: "global", path: "/etc/pip.conf" },
    { kind: "user", path: "/home/me/.pip/pip.conf" },
    { kind: "user", path: "/home/me/.config/pip/pip.conf" },
  ]);
  assert.deepEqual(pipConfigFiles(envOf({ HOME: "/h", XDG_CONFIG_HOME: "/x" }), LINUX).map((f) => f.path), [
    "/etc/xdg/pip/pip.conf",
    "/etc/pip.conf",
    "/h/.pip/pip.conf",
    "/x/pip/pip.conf",
  ]);
  // Without a home folder there are no user files.
  assert.deepEqual(pipConfigFiles(envOf({}), LINUX).map((f) => f.kind), ["global", "global"]);
  const windows = envOf({ USERPROFILE: "C:\\Users\\me", APPDATA: "C:\\Users\\me\\AppData\\Roaming" });
  assert.deepEqual(pipConfigFiles(windows, platformFor("windows")), [
    { kind: "global", path: "C:\\ProgramData\\pip\\pip.ini" },
    { kind: "user", path: "C:\\Users\\me\\pip\\pip.ini" },
    { kind: "user", path: "C:\\Users\\me\\AppData\\Roaming\\pip\\pip.ini" },
  ]);
  // macOS: ~/Library/Application Support/pip when that folder exists, else ~/.config/pip (XDG_CONFIG_HOME unused).
  if (IS_WINDOWS) return;
  await using tmp = await tempDir();
  const mac = platformFor("darwin");
  assert.deepEqual(pipConfigFiles(envOf({ XDG_CONFIG_HOME: "/x" }), mac, tmp.path).map((f) => f.path), [
    "/Library/Application Support/pip/pip.conf",
    path.join(tmp.path, ".pip", "pip.conf"),
    path.join(tmp.path, ".config", "pip", "pip.conf"),
  ]);
  await Deno.mkdir(path.join(tmp.path, "Library", "Application Support", "pip"), { recursive: true });
  assert.equal(
    pipConfigFiles(envOf({}), mac, tmp.path).at(-1)?.path,
    path.join(tmp.path, "Library", "Application Support", "pip", "pip.conf"),
  );
});
