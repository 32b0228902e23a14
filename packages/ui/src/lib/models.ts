const PROVIDER_REF = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/(.+)$/i;

/** A model reference as people read it: `<provider id>/<model>` (a provider an admin
 * added) shows as the provider's own model id; a bare id stays as it is. */
export function displayModel(ref: string): string {
  return PROVIDER_REF.exec(ref)?.[1] ?? ref;
}
