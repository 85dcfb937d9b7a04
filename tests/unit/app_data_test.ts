/** Where the app data goes by default, including when HOME cannot say. */
import assert from "node:assert/strict";
import { defaultAppDataDir } from "../../lib/app_data.ts";

/** This user's home as the system's user database gives it (`getent passwd`). */
async function passwdHome(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("getent", { args: ["passwd", String(Deno.uid())], stdout: "piped" }).output();
    return new TextDecoder().decode(out.stdout).trim().split(":")[5] || undefined;
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
  fn: async () => {
    const home = await passwdHome();
    if (!home) {
      console.log("skipped: getent has no passwd entry for this user");
      return;
    }
    for (const value of [undefined, "", "relative/home"]) {
      const lookup = (name: string) => name === "HOME" ? value : undefined;
      assert.equal(defaultAppDataDir("linux", lookup), `${home}/.cache/mkvenv`, `HOME=${value}`);
    }
  },
});
