import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// electron-builder cannot package here (it downloads Electron); this loads the packaging
// config the way electron-builder does and validates it against its own schema.
const desktopDir = fileURLToPath(new URL("..", import.meta.url));

describe("packaging config", () => {
  it("is valid for electron-builder and targets AppImage, deb, dmg and nsis", async () => {
    const { getConfig, validateConfiguration } =
      await import("app-builder-lib/out/util/config/config.js");
    const config = await getConfig(desktopDir, "electron-builder.yml", null);
    await validateConfiguration(config, { isEnabled: false, add: () => {} } as never);
    expect(config.linux?.target).toEqual(["AppImage", "deb"]);
    expect(config.mac?.target).toEqual(["dmg"]);
    expect(config.win?.target).toEqual(["nsis"]);
    // Only the build output ships: no sources, tests or workspace node_modules.
    // (validation normalizes the list into a file set)
    expect(config.files).toEqual([{ filter: ["out/**", "package.json"] }]);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
    });
  });

  it("rejects a broken config, so the check above can fail", async () => {
    const { validateConfiguration } = await import("app-builder-lib/out/util/config/config.js");
    await expect(
      validateConfiguration(
        { linux: { target: "AppImage", notAnOption: true } } as never,
        { isEnabled: false, add: () => {} } as never,
      ),
    ).rejects.toThrow(/configuration\.linux/);
  });
});
