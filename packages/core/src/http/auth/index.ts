// The HTTP face's authenticators. Importing this module does not load jose: jwtAuthenticator imports it when called.
export { AuthFailure, type AuthFailureKind, type AuthInfo, type Authenticator } from './authenticator.js';
export { AuthUnavailableError } from './unavailable.js';
export { apiKeyAuthenticator } from './api-key.js';
export {
  apiKeyFromSecret,
  createKeyEntry,
  defaultKeyId,
  hashApiKey,
  KEY_ID_PATTERN,
  KeyFileError,
  MIN_KEY_LENGTH,
  parseKeyFile,
  readKeyFile,
  type ApiKey,
  type KeyFileEntry,
} from './key-file.js';
export { JsoncSyntaxError, parseJsonc } from './jsonc.js';
export { ASYMMETRIC_ALGORITHMS, jwtAuthenticator, type JwtAuthenticatorOptions } from './jwt.js';
export type { RemoteJwksOptions } from './jwt-keys.js';
export { resourceMetadataUrl, type ProtectedResourceMetadata } from './resource-metadata.js';
export { bearerCredential, MAX_CREDENTIAL_LENGTH } from './bearer.js';
