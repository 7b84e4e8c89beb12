export { Authenticator, authenticatorSettingsOf, DEFAULT_AUTHENTICATOR_SETTINGS, superuserJwt, type AuthenticatorSettings, type Principal } from './authenticator.ts';
export { UserStore, allows, parseAccessLevel, type AccessLevel, type UserInfo } from './user-store.ts';
export { signJwt, verifyJwt, type JwtClaims } from './jwt.ts';
export { loadJwtSecret } from './jwt-secret.ts';
export { isSecretCollection } from './secret-collections.ts';
export { AccessTokenStore, type AccessTokenInfo } from './access-tokens.ts';
