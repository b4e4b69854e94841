export { OAuthSession, type OAuthSessionOptions } from './session.js';
export { browserOpener } from './browser.js';
export { TokenStore } from './store.js';
export { startCallbackServer, type CallbackServer } from './callback.js';
