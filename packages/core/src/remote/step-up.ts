import type { AuthProvider, OAuthClientProvider } from '@modelcontextprotocol/client';

type StepUp = (requiredScope?: string, resourceMetadataUrl?: URL) => Promise<void>;

/**
 * OAuth glue: when a send failed with 403 insufficient_scope and our auth provider can step up (OAuthSession can),
 * the function that authorizes again for more scope; else undefined, and the error stands.
 */
export function stepUpFor(provider: AuthProvider | OAuthClientProvider | undefined, err: unknown): (() => Promise<void>) | undefined {
  const stepUp = (provider as { stepUp?: StepUp } | undefined)?.stepUp;
  if (!stepUp || (err as Error)?.name !== 'InsufficientScopeError') return undefined;
  const e = err as { requiredScope?: string; resourceMetadataUrl?: URL };
  return () => stepUp.call(provider, e.requiredScope, e.resourceMetadataUrl);
}
