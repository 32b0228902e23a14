import type { RouterOutputs } from "@parley/api";
import { trpc } from "../../api/client";
import { errorText } from "../../api/errors";
import { Alert } from "../../components/ui";
import { formatDate, useLanguage, useT } from "../../i18n";
import type { Language } from "../../store/prefsSlice";
import { displayModel } from "../../lib/models";

type Usage = RouterOutputs["user"]["usage"];
type Totals = Usage["today"];

// Theme colours by class (no inline colours), so both themes and the strict CSP hold.
const MODEL_FILLS = [
  "fill-accent-solid",
  "fill-success-solid",
  "fill-warning",
  "fill-danger-solid",
  "fill-fg-soft",
];
const MODEL_SWATCHES = [
  "bg-accent-solid",
  "bg-success-solid",
  "bg-warning",
  "bg-danger-solid",
  "bg-fg-soft",
];

const locale = (language: Language) => (language === "ru" ? "ru-RU" : "en-US");
const numberFormat = (language: Language, n: number) =>
  new Intl.NumberFormat(locale(language)).format(n);
/** An axis tick: 1.2K / 1,2 тыс. */
const compactFormat = (language: Language, n: number) =>
  new Intl.NumberFormat(locale(language), {
    notation: "compact",
    maximumFractionDigits: 1,
  }).format(n);
/** A day on the date axis: Dec 1 / 1 дек. (days are UTC days, as the quota's). */
const dayTickFormat = (language: Language, day: string) =>
  new Intl.DateTimeFormat(locale(language), {
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  }).format(new Date(`${day}T00:00:00Z`));

/** The caller's tokens today and this month, their daily limit, and 30 days by model. */
export function UsageSettings() {
  const t = useT();
  const language = useLanguage();
  const usage = trpc.user.usage.useQuery();
  if (usage.error) return <Alert>{errorText(usage.error, t)}</Alert>;
  const data = usage.data;
  if (!data) return null;
  // Heaviest this month first, then any model seen only in last month's part of the chart.
  const models = [
    ...new Set([
      ...data.perModel.map((m) => m.model),
      ...data.perDay.flatMap((d) => Object.keys(d.byModel)),
    ]),
  ];
  return (
    <div className="flex flex-col gap-6">
      <div className="grid gap-3 sm:grid-cols-2">
        <TotalsCard label={t("usage.today")} totals={data.today} testId="usage-today" />
        <TotalsCard label={t("usage.month")} totals={data.month} testId="usage-month" />
      </div>
      <div className="rounded-xl border border-line bg-surface p-3" data-testid="usage-quota">
        <h2 className="text-sm font-medium">{t("usage.quota")}</h2>
        {data.quota.limit === 0 ? (
          <p className="text-sm text-fg-soft">{t("usage.noLimit")}</p>
        ) : (
          <>
            <p className="text-sm">
              {t("usage.quotaLeft", {
                left: numberFormat(language, data.quota.remaining ?? 0),
                limit: numberFormat(language, data.quota.limit),
              })}
            </p>
            <p className="text-xs text-fg-soft">
              {t("usage.quotaResets", { time: formatDate(language, data.quota.resetsAt) })}
            </p>
          </>
        )}
      </div>
      <UsageChart perDay={data.perDay} models={models} />
      {data.perModel.length > 0 ? (
        <table className="w-full text-left text-sm" aria-label={t("usage.perModel")}>
          <caption className="mb-2 text-left text-sm font-medium">{t("usage.perModel")}</caption>
          <thead className="text-fg-soft">
            <tr>
              <th className="py-1 font-normal">{t("usage.model")}</th>
              <th className="py-1 text-right font-normal">{t("usage.prompt")}</th>
              <th className="py-1 text-right font-normal">{t("usage.completion")}</th>
            </tr>
          </thead>
          <tbody>
            {data.perModel.map((m, i) => (
              <tr key={m.model} className="border-t border-line">
                <td className="py-1">
                  <span
                    aria-hidden="true"
                    className={`mr-2 inline-block h-2.5 w-2.5 rounded-sm ${MODEL_SWATCHES[i % MODEL_SWATCHES.length]}`}
                  />
                  <span className="break-all">{displayModel(m.model)}</span>
                </td>
                <td className="py-1 text-right tabular-nums">
                  {numberFormat(language, m.promptTokens)}
                </td>
                <td className="py-1 text-right tabular-nums">
                  {numberFormat(language, m.completionTokens)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function TotalsCard({ label, totals, testId }: { label: string; totals: Totals; testId: string }) {
  const t = useT();
  const language = useLanguage();
  return (
    <div className="rounded-xl border border-line bg-surface p-3" data-testid={testId}>
      <h2 className="text-sm font-medium">{label}</h2>
      <dl className="mt-1 grid grid-cols-[1fr_auto] gap-x-3 text-sm">
        <dt className="text-fg-soft">{t("usage.prompt")}</dt>
        <dd className="text-right tabular-nums">{numberFormat(language, totals.promptTokens)}</dd>
        <dt className="text-fg-soft">{t("usage.completion")}</dt>
        <dd className="text-right tabular-nums">
          {numberFormat(language, totals.completionTokens)}
        </dd>
        <dt className="font-medium">{t("usage.total")}</dt>
        <dd className="text-right font-medium tabular-nums">
          {numberFormat(language, totals.totalTokens)}
        </dd>
      </dl>
    </div>
  );
}

const CHART_H = 120;
const BAR_W = 10;
const GAP = 4;

/**
 * Stacked bars drawn as plain SVG with classes: a chart library would set inline style
 * attributes, which the strict CSP refuses. Each day is focusable and names its total.
 * The axes are HTML beside the SVG (which stretches, so text inside it would too): tokens
 * at the top, middle and bottom of the bars' scale on the left, the first, middle and last
 * day below; theme colours by class, so both themes hold.
 */
function UsageChart({ perDay, models }: { perDay: Usage["perDay"]; models: string[] }) {
  const t = useT();
  const language = useLanguage();
  const max = Math.max(1, ...perDay.map((d) => d.totalTokens));
  const width = perDay.length * (BAR_W + GAP);
  const empty = perDay.every((d) => d.totalTokens === 0);
  // The top of the bars' area is `max`; ticks at max, half and 0 (only 0 when empty).
  const yTicks = empty ? [0] : [max, max / 2, 0];
  const xTicks =
    perDay.length > 0
      ? [...new Set([0, Math.floor((perDay.length - 1) / 2), perDay.length - 1])].map(
          (i) => perDay[i]!.day,
        )
      : [];
  return (
    <figure className="flex flex-col gap-2">
      <figcaption className="text-sm font-medium">{t("usage.chart")}</figcaption>
      {empty ? <p className="text-sm text-fg-soft">{t("usage.chartEmpty")}</p> : null}
      <div className="grid grid-cols-[auto_1fr] gap-x-2 text-xs text-fg-soft">
        <span className="col-start-1" data-testid="usage-axis-y-title">
          {t("usage.axisTokens")}
        </span>
        <span aria-hidden="true" />
        <ol
          className={`flex h-32 flex-col ${empty ? "justify-end" : "justify-between"} text-right tabular-nums leading-none`}
          aria-label={t("usage.axisTokens")}
          data-testid="usage-axis-y"
        >
          {yTicks.map((tick) => (
            <li key={tick}>{compactFormat(language, Math.round(tick))}</li>
          ))}
        </ol>
        <svg
          viewBox={`0 0 ${width} ${CHART_H}`}
          preserveAspectRatio="none"
          className="h-32 w-full rounded-lg border border-line bg-surface"
          role="group"
          aria-label={t("usage.chart")}
          data-testid="usage-chart"
        >
          {empty
            ? null
            : [0, CHART_H / 2].map((y) => (
                <line
                  key={y}
                  x1={0}
                  x2={width}
                  y1={y}
                  y2={y}
                  vectorEffect="non-scaling-stroke"
                  className="stroke-line"
                  aria-hidden="true"
                />
              ))}
          {perDay.map((day, i) => {
            const label = t("usage.dayTotal", {
              day: new Intl.DateTimeFormat(language === "ru" ? "ru-RU" : "en-US", {
                dateStyle: "medium",
                timeZone: "UTC",
              }).format(new Date(`${day.day}T00:00:00Z`)),
              tokens: numberFormat(language, day.totalTokens),
            });
            let y = CHART_H;
            return (
              <g
                key={day.day}
                tabIndex={0}
                role="img"
                aria-label={label}
                className="group outline-none"
              >
                <title>{label}</title>
                <rect
                  x={i * (BAR_W + GAP)}
                  y={0}
                  width={BAR_W}
                  height={CHART_H}
                  className="fill-transparent group-focus-visible:fill-muted group-focus-visible:stroke-accent"
                />
                {models.map((model, m) => {
                  const tokens = day.byModel[model] ?? 0;
                  if (!tokens) return null;
                  const h = Math.max(1, (tokens / max) * CHART_H);
                  y -= h;
                  return (
                    <rect
                      key={model}
                      data-model={model}
                      x={i * (BAR_W + GAP)}
                      y={y}
                      width={BAR_W}
                      height={h}
                      className={MODEL_FILLS[m % MODEL_FILLS.length]}
                    />
                  );
                })}
              </g>
            );
          })}
        </svg>
        <span aria-hidden="true" />
        <ol
          className="mt-1 flex justify-between tabular-nums"
          aria-label={t("usage.axisDays")}
          data-testid="usage-axis-x"
        >
          {xTicks.map((day) => (
            <li key={day}>
              <time dateTime={day}>{dayTickFormat(language, day)}</time>
            </li>
          ))}
        </ol>
        <span aria-hidden="true" />
        <span className="text-center" data-testid="usage-axis-x-title">
          {t("usage.axisDays")}
        </span>
      </div>
    </figure>
  );
}
