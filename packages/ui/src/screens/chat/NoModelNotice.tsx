import { Alert } from "../../components/ui";
import { useT } from "../../i18n";
import { useRouter } from "../../lib/router";

/** Shown instead of a usable composer while no model provider is set up. */
export function NoModelNotice({ admin }: { admin: boolean }) {
  const t = useT();
  const { href, navigate } = useRouter();
  if (!admin) {
    return (
      <div data-testid="no-model">
        <Alert tone="info">{t("noModel.user")}</Alert>
      </div>
    );
  }
  const providers = { name: "settings", tab: "providers" } as const;
  return (
    <div data-testid="no-model">
      <Alert tone="info">
        <p className="font-medium">{t("noModel.adminTitle")}</p>
        <ol className="mt-1 list-decimal space-y-1 pl-5">
          <li>
            {t("noModel.step1")}{" "}
            <a
              href={href(providers)}
              className="font-medium text-accent underline"
              onClick={(event) => {
                event.preventDefault();
                navigate(providers);
              }}
            >
              {t("noModel.openProviders")}
            </a>
          </li>
          <li>{t("noModel.step2")}</li>
        </ol>
      </Alert>
    </div>
  );
}
