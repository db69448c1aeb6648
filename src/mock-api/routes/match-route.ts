import { resourceNotFound, unsupportedApiVersion } from '../errors.js';
import type { MockResponse } from '../http-io.js';
import { matchChatRoute, type ChatRoute } from './chat-completions.js';
import { matchMaiRoute, type MaiGenerationRoute } from './mai-route.js';

/** Generations take JSON; edits take multipart with the image to edit. */
export type ImageOperation = 'generations' | 'edits';

/** The two URL styles Azure serves image generation (and edits) on. */
export type GenerationRoute =
  | { kind: 'generation'; style: 'deployment'; deployment: string; apiVersion: string | undefined; operation: ImageOperation }
  | { kind: 'generation'; style: 'v1'; apiVersion: string | undefined; operation: ImageOperation };

export type AdminAction = 'health' | 'stats' | 'faults' | 'configure' | 'reset';
export type Route = GenerationRoute | MaiGenerationRoute | ChatRoute | { kind: 'admin'; action: AdminAction } | { kind: 'not-found' };

const DEPLOYMENT_PATH = /^\/openai\/deployments\/([^/]+)\/images\/(generations|edits)\/?$/;
const V1_PATH = /^\/openai\/v1\/images\/(generations|edits)\/?$/;
const ADMIN_ROUTES: Readonly<Record<string, AdminAction>> = {
  'GET /healthz': 'health',
  'GET /_admin/stats': 'stats',
  'POST /_admin/faults': 'faults',
  'POST /_admin/configure': 'configure',
  'POST /_admin/reset': 'reset',
};

export function matchRoute(method: string, url: URL): Route {
  const admin = ADMIN_ROUTES[`${method} ${url.pathname}`];
  if (admin !== undefined) return { kind: 'admin', action: admin };
  if (method !== 'POST') return { kind: 'not-found' };
  const apiVersion = url.searchParams.get('api-version') ?? undefined;
  const deployment = DEPLOYMENT_PATH.exec(url.pathname);
  if (deployment) return { kind: 'generation', style: 'deployment', deployment: safeDecode(deployment[1]!), apiVersion, operation: deployment[2] as ImageOperation };
  const v1 = V1_PATH.exec(url.pathname);
  if (v1) return { kind: 'generation', style: 'v1', apiVersion, operation: v1[1] as ImageOperation };
  return matchChatRoute(url) ?? matchMaiRoute(url) ?? { kind: 'not-found' };
}

const DATED_VERSION = /^(\d{4})-(\d{2})-(\d{2})(-preview)?$/;
/** Versions the v1 surface takes besides dated ones. */
const V1_VERSIONS = new Set(['preview', 'latest']);

/**
 * Deployment-style URLs cannot be routed without an api-version, so Azure answers 404 there; the
 * v1 surface does not need one. Any plausibly dated version is accepted, as the stand-in does not
 * track Azure's release calendar.
 */
export function checkApiVersion(route: GenerationRoute): MockResponse | undefined {
  const version = route.apiVersion;
  if (version === undefined) return route.style === 'deployment' ? resourceNotFound() : undefined;
  if (route.style === 'v1' && V1_VERSIONS.has(version)) return undefined;
  const dated = DATED_VERSION.exec(version);
  const month = Number(dated?.[2]);
  const day = Number(dated?.[3]);
  return dated && month >= 1 && month <= 12 && day >= 1 && day <= 31 ? undefined : unsupportedApiVersion();
}

/** The version named in Azure's 429 message. */
export function versionLabel(route: GenerationRoute): string {
  return route.apiVersion ?? 'v1';
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
