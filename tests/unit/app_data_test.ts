/** Where the app data goes by default, including when HOME cannot say. */
import assert from "node:assert/strict";
import { defaultAppDataDir } from "../../lib/app_data.ts";

/** This user's home as `/etc/passwd` gives it. */
function passwdHome(): string | undefined {
  try {
    const uid = String(Deno.uid());
    const entry = Deno.readTextFileSync("/etc/passwd").split("\n").map((l) => l.split(":")).find((f) => f[2] === uid);
    return entry?.[5] || undefined;
  } catch {
    return undefined;
  }
}

Deno.test("defaultAppDataDir() follows XDG_CACHE_HOME and HOME, and the override before both", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(defaultAppDataDir("linux", env({ HOME: "/home/me" })), "/home/me/.cache/mkvenv");
  assert.equal(defaultAppDataDir("linux", env({ HOME: "/home/me", XDG_CACHE_HOME: "/c" })), "/c/mkvenv");
  // A relative XDG_CACHE_HOME is ignored, as the XDG specification says.
  assert.equal(defaultAppDataDir("linux", env({ HOME: "/home/me", XDG_CACHE_HOME: "c" })), "/home/me/.cache/mkvenv");
  assert.equal(defaultAppDataDir("darwin", env({ HOME: "/Users/me" })), "/Users/me/Library/Caches/mkvenv");
  assert.equal(defaultAppDataDir("linux", env({ HOME: "/h", VIRTUALENV_OVERRIDE_APP_DATA: "/o" })), "/o");
});

Deno.test({
  name:
    "defaultAppDataDir() takes the passwd home when HOME is unset, empty or relative, never / or the working folder",
  ignore: Deno.build.os !== "linux",
  fn: () => {
    const home = passwdHome();
    if (!home) {
      console.log("skipped: /etc/passwd has no entry for this user");
      return;
    }
    for (const value of [undefined, "", "relative/home"]) {
      const lookup = (name: string) => name === "HOME" ? value : undefined;
      assert.equal(defaultAppDataDir("linux", lookup), `${home}/.cache/mkvenv`, `HOME=${value}`);
      // An absolute XDG_CACHE_HOME needs no home at all.
      const xdg = (name: string) => name === "XDG_CACHE_HOME" ? "/xdg" : name === "HOME" ? value : undefined;
      assert.equal(defaultAppDataDir("linux", xdg), "/xdg/mkvenv");
    }
  },
});
