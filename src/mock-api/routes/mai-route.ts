/** `POST /mai/v1/images/generations`: Microsoft's MAI image models on a Foundry resource. */
export interface MaiGenerationRoute {
  kind: 'mai-generation';
  /** MAI's examples send none; any value is accepted. */
  apiVersion: string | undefined;
}

const MAI_GENERATIONS_PATH = /^\/mai\/v1\/images\/generations\/?$/;

/** The MAI route for a POST to `url`, or undefined when it is not one. */
export function matchMaiRoute(url: URL): MaiGenerationRoute | undefined {
  return MAI_GENERATIONS_PATH.test(url.pathname) ? { kind: 'mai-generation', apiVersion: url.searchParams.get('api-version') ?? undefined } : undefined;
}
