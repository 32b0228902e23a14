import { describe, expect, it } from "vitest";
import { formatBytes, translate, type Translate } from "../i18n";
import { uploadErrorText } from "./file-errors";
import { FileRequestError } from "./files";

const en: Translate = (key, vars) => translate("en", key, vars);
const ru: Translate = (key, vars) => translate("ru", key, vars);

describe("upload errors", () => {
  it("say why a file was refused, from the server's code, in the reader's language", () => {
    const tooLarge = new FileRequestError(413, {
      error: "The file is larger than the limit of 25 MB",
      code: "too_large",
      limitBytes: 25 * 1024 * 1024,
    });
    expect(uploadErrorText(tooLarge, "video.txt", en, "en")).toBe(
      "“video.txt” is too large: files may be up to 25 MB.",
    );
    expect(uploadErrorText(tooLarge, "video.txt", ru, "ru")).toBe(
      "«video.txt» слишком большой: размер файла — не больше 25 МБ.",
    );
    const quota = new FileRequestError(413, { code: "quota_exceeded", leftBytes: 30_000 });
    expect(uploadErrorText(quota, "a.csv", en, "en")).toBe(
      "Not enough storage for “a.csv”: 29 kB of your quota is left.",
    );
    const full = new FileRequestError(413, { code: "quota_exceeded", leftBytes: 0 });
    expect(uploadErrorText(full, "a.csv", en, "en")).toMatch(/storage is full/);
    const type = new FileRequestError(415, { code: "unsupported_type" });
    expect(uploadErrorText(type, "setup.exe", ru, "ru")).toMatch(/^«setup.exe» нельзя прикрепить/);
    const mismatch = new FileRequestError(400, { code: "type_mismatch" });
    expect(uploadErrorText(mismatch, "x.png", en, "en")).toMatch(/not what its type says/);
  });

  it("keep the server's sentence for a refusal without a known code, and name outages", () => {
    const other = new FileRequestError(400, { error: "The multipart body is malformed" });
    expect(uploadErrorText(other, "a.txt", en, "en")).toBe(
      "“a.txt” was not uploaded: The multipart body is malformed",
    );
    expect(uploadErrorText(new FileRequestError(0, null), "a.txt", en, "en")).toMatch(
      /server cannot be reached/,
    );
    expect(uploadErrorText(new FileRequestError(502, null), "a.txt", en, "en")).toBe(
      translate("en", "errors.server"),
    );
  });

  it("format sizes the way each language writes them", () => {
    expect(formatBytes("en", 512)).toBe("512 bytes");
    expect(formatBytes("en", 1536 * 1024)).toBe("1.5 MB");
    expect(formatBytes("ru", 1536 * 1024)).toBe("1,5 МБ");
    expect(formatBytes("en", 1024 ** 3)).toBe("1 GB");
  });
});
