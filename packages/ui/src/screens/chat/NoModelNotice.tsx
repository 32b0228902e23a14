import { Alert } from "../../components/ui";
import { useT } from "../../i18n";

/** Shown instead of a usable composer while no model provider is set up. */
export function NoModelNotice({ admin }: { admin: boolean }) {
  const t = useT();
  if (!admin) {
    return (
      <div data-testid="no-model">
        <Alert tone="info">{t("noModel.user")}</Alert>
      </div>
    );
  }
  return (
    <div data-testid="no-model">
      <Alert tone="info">
        <p className="font-medium">{t("noModel.adminTitle")}</p>
        <ol className="mt-1 list-decimal space-y-1 pl-5">
          <li>{t("noModel.step1")}</li>
          <li>{t("noModel.step2")}</li>
          <li>{t("noModel.step3")}</li>
        </ol>
      </Alert>
    </div>
  );
}
