export { AuthModule } from './auth.module';
export type { AuthModuleOptions } from './auth-module-options.interface';
export { CredentialVerifier } from './credential-verifier.interface';
export type { Authentication, AuthenticationTarget } from './credential-verifier.interface';
export { Public } from './public.decorator';
export { permits, permitsAll, missingPermissions } from './permissions';
export type { OAuthGrant, Principal, RequestAccess } from './principal.interface';
export { REQUEST_ACCESS } from './auth.constants';
